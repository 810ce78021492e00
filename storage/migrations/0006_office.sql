-- Who a meeting's documents come from, as the plan names it (convene.Issuer as
-- JSON): the office and the board, the letter's number, place, contact and
-- signature block.
ALTER TABLE meetings ADD COLUMN issuer TEXT NOT NULL DEFAULT '{}';
