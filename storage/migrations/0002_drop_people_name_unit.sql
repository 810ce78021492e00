-- Nothing queries people by folded name and unit: the roster import matches
-- people in memory and name search scans word starts. Drop the unused index.
DROP INDEX IF EXISTS people_name_unit;
