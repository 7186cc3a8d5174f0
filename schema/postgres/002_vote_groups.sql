-- A vote keeps the group its voter sat in when it was cast, so that results by group add up
-- to the whole even when a voter leaves the council before the close (and so that the
-- difference can never single out the choice of one departed voter in a secret ballot).
ALTER TABLE votes ADD COLUMN grp TEXT CHECK (grp IN ('citizen', 'ngo', 'business'));
UPDATE votes SET grp = (
    SELECT m.grp FROM memberships m JOIN proposals p ON p.id = votes.proposal_id
    JOIN rounds r ON r.id = p.round_id
    WHERE m.user_id = votes.user_id AND m.council_id = r.council_id);
