"""PostgreSQL: recording an answer as one call, so it costs one round trip instead of four.

``record_answer`` does on the server what ``inspection.services.inspections`` does on
SQLite in an IMMEDIATE transaction: under a share lock of the inspection, and only if it
is still editable and the user is on its team, it saves the answer, proposes a finding for
an answer that falls short (when the item has none yet) or withdraws the item's unconfirmed
proposal for one that does not; then it returns the inspection's state as it is now, one
row per N/A answer and per finding of the item (or one row). Each statement in it sees
what committed before it ran, so two answers to one item, which take turns on the answer's
row, cannot both propose a finding. A later migration that changes these tables' columns
replaces the function with ``CREATE OR REPLACE``.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T03:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "PostgreSQL function record_answer"

FUNCTION = """
CREATE OR REPLACE FUNCTION record_answer(
    p_inspection integer, p_item varchar, p_criterion varchar, p_section varchar, p_value json,
    p_not_applicable boolean, p_points double precision, p_max_points double precision,
    p_passed boolean, p_note text, p_user integer, p_at timestamptz,
    p_title varchar, p_severity varchar, p_editable varchar[]
) RETURNS TABLE (
    status varchar, on_team boolean, points_so_far double precision, not_applicable varchar,
    id integer, inspection integer, item_code varchar, title varchar, description text,
    severity varchar, proposed boolean, due_date date, version integer, action_id integer
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_status varchar;
    v_on_team boolean;
    v_finding integer;
    v_proposed boolean;
BEGIN
    SELECT i.status,
           EXISTS (SELECT 1 FROM inspection_member m WHERE m.inspection = i.id AND m."user" = p_user)
      INTO v_status, v_on_team
      FROM inspection i WHERE i.id = p_inspection
       FOR SHARE OF i;
    IF v_on_team AND v_status = ANY (p_editable) THEN
        INSERT INTO answer (inspection, item_code, criterion_code, section_code, value, not_applicable,
                            points, max_points, passed, note, answered_by, answered_at)
        VALUES (p_inspection, p_item, p_criterion, p_section, p_value, p_not_applicable,
                p_points, p_max_points, p_passed, p_note, p_user, p_at)
        ON CONFLICT (inspection, item_code) DO UPDATE SET
            value = excluded.value, not_applicable = excluded.not_applicable,
            points = excluded.points, max_points = excluded.max_points, passed = excluded.passed,
            note = excluded.note, answered_by = excluded.answered_by,
            answered_at = excluded.answered_at;
        SELECT f.id, f.proposed INTO v_finding, v_proposed
          FROM finding f WHERE f.inspection = p_inspection AND f.item_code = p_item
         ORDER BY f.id LIMIT 1;
        IF p_passed IS FALSE AND v_finding IS NULL THEN
            INSERT INTO finding (inspection, item_code, title, description, severity, proposed,
                                 due_date, created_by, created_at, version)
            VALUES (p_inspection, p_item, p_title, p_note, p_severity, TRUE, NULL, p_user, p_at, 1);
        ELSIF p_passed IS NOT FALSE AND v_proposed THEN
            DELETE FROM finding WHERE id = v_finding;
        END IF;
    END IF;
    RETURN QUERY
    SELECT i.status,
           EXISTS (SELECT 1 FROM inspection_member m WHERE m.inspection = i.id AND m."user" = p_user),
           t.points, na.item_code,
           f.id, f.inspection, f.item_code, f.title, f.description, f.severity, f.proposed,
           f.due_date, f.version, ca.id
      FROM inspection i
     CROSS JOIN (SELECT COALESCE(SUM(a.points), 0) AS points
                   FROM answer a WHERE a.inspection = p_inspection) t
      LEFT JOIN answer na ON na.inspection = i.id AND na.not_applicable = TRUE
      LEFT JOIN finding f ON f.inspection = i.id AND f.item_code = p_item
      LEFT JOIN corrective_action ca ON ca.finding = f.id
     WHERE i.id = p_inspection;
END
$$
"""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="inspection", description=DESCRIPTION)

    async def create() -> None:
        engine = engine_finder()
        assert engine is not None
        if engine.engine_type == "postgres":
            await engine.run_ddl(FUNCTION)

    manager.add_raw(create)
    return manager
