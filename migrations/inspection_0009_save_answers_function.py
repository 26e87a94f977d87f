"""PostgreSQL: ``save_answers`` saves several answers in one call and one transaction.

A web process gathers the answers its requests give while one call is under way and
saves them together in the next (``inspection.db.sql.Together``): one round trip and one
commit for all of them. Each column comes as an array, one element per answer, and the
answers are saved in that order by migration 0008's ``save_answer``, so each one sees the
ones before it; every row returned starts with the answer's position (1-based). The web
process sorts the answers by inspection and item, so two calls at once lock the answers'
rows in the same order and never deadlock.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-26T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "PostgreSQL function save_answers, several answers in one call"

FUNCTION = """
CREATE FUNCTION save_answers(
    p_inspection integer[], p_item varchar[], p_criterion varchar[], p_section varchar[],
    p_value json[], p_not_applicable boolean[], p_points double precision[],
    p_max_points double precision[], p_passed boolean[], p_note text[], p_user integer[],
    p_at timestamptz[], p_title varchar[], p_severity varchar[], p_editable varchar[]
) RETURNS TABLE (
    n integer, status varchar, on_team boolean, points_so_far double precision,
    not_applicable varchar[], id integer, inspection integer, item_code varchar, title varchar,
    description text, severity varchar, proposed boolean, due_date date, version integer,
    action_id integer
) LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1 .. cardinality(p_inspection) LOOP
        RETURN QUERY
        SELECT i, s.*
          FROM save_answer(p_inspection[i], p_item[i], p_criterion[i], p_section[i], p_value[i],
                           p_not_applicable[i], p_points[i], p_max_points[i], p_passed[i],
                           p_note[i], p_user[i], p_at[i], p_title[i], p_severity[i], p_editable) s;
    END LOOP;
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
