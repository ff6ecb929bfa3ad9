-- Bulk intake no longer stages batches (docs/records.md, "Bulk intake"): a
-- batch that meets a concurrent writer's key is rolled back to a savepoint,
-- looked up and decided again by IntakeRules, so the staging tables of 0004
-- are unused. They are UNLOGGED and empty outside a batch's transaction:
-- nothing is lost by dropping them.
DROP TABLE IF EXISTS records.intake_stage_persons, records.intake_stage_documents, records.intake_stage_crossings;
