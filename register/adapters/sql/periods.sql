-- The register's rule for periods, stated once: raas_register, raas_unregister and raas_replace_ssin
-- (registrations.sql, persons.sql) use these functions. register.domain.periods.DaySet is the rule's
-- executable specification; tests/integration/test_period_rule.py checks these functions against it.
--
-- A period is a daterange; a line is one of the periods a register holds for one (tenant, ssin,
-- dossier type): lines never overlap nor touch (no gap day between them). 9999-12-31 is the last
-- day a client can name; an open end (upper bound infinite) means "and every day after", so a line
-- ending 9999-12-31 and an open line differ.
--
-- Small LANGUAGE sql functions of one expression, IMMUTABLE and PARALLEL SAFE, neither STRICT nor
-- SECURITY DEFINER nor with SET: PostgreSQL inlines them into the calling statement (registerPerson
-- is the service's hot path: one statement per call), so the planner sees the expressions
-- themselves (index probes included) and a call costs nothing more than writing them out.

-- The days a line must overlap to overlap or touch p_period: p_period widened by a day each side
-- (one index probe finds every line to merge with it).
CREATE OR REPLACE FUNCTION raas_reach(p_period daterange) RETURNS daterange
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT daterange(lower(p_period) - 1, upper(p_period) + 1)
$$;

-- The lines that hold exactly the days of p_periods: overlapping or touching periods become one.
-- As a multirange, whose ranges are the lines (unnest gives them in start order). A multirange
-- joins both: dateranges are discrete, kept as [first, day after last), so touching periods are
-- adjacent ranges, which a multirange stores as one. (Its constructor rather than range_agg, and
-- a value rather than a set of rows: no aggregate nor plan node of its own on registerPerson's path.)
CREATE OR REPLACE FUNCTION raas_lines_of(p_periods daterange[]) RETURNS datemultirange
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT datemultirange(VARIADIC p_periods)
$$;

-- What is left of p_line once the days of p_removed are cut out: no, one or two lines, as a
-- multirange. No day follows 9999-12-31: removing up to it removes the rest of an open line too,
-- leaving no tail.
CREATE OR REPLACE FUNCTION raas_line_without(p_line daterange, p_removed daterange) RETURNS datemultirange
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT datemultirange(p_line) - datemultirange(CASE WHEN upper(p_removed) = DATE '10000-01-01'
                                                      THEN daterange(lower(p_removed), NULL) ELSE p_removed END)
$$;
