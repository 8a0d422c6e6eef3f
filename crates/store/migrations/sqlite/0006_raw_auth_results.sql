-- SPF, DKIM and DMARC results checked when the message was received (an
-- Authentication-Results value, written by us: the sender can't forge it),
-- kept with the raw copy so filing, which may run later, scores with them.
-- NULL: not checked (no verifier configured, or mail from before this).
ALTER TABLE raw_messages ADD COLUMN auth_results TEXT;
