// Runs a test as named steps (node:test subtests, so each shows in the
// report) that share one browser page: once a step fails, the ones after it
// are reported as skipped instead of failing for the same reason.

export function stepper(t) {
  let failed = null;
  return async function step(name, fn) {
    if (failed) {
      await t.test(name, { skip: `step "${failed}" failed` }, () => {});
      return;
    }
    let ok = false;
    await t.test(name, async (st) => {
      await fn(st);
      ok = true;
    });
    if (!ok) failed = name;
  };
}
