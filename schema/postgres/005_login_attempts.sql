-- A failed sign-in is taken back by the attempt that recorded it, not by its time: two
-- attempts in the same microsecond (or under a test's stopped clock) must not take back each
-- other's.
ALTER TABLE login_failures ADD COLUMN attempt TEXT NOT NULL DEFAULT '';
CREATE INDEX login_failures_attempt ON login_failures (attempt);
