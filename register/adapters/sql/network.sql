-- Network flows at ingestion (CONTRACT.md section 9): the routing of ingested records to the tenants
-- concerned, one journal row each, in the ingest's transaction (register.adapters.network_records).
-- register.domain.routing is the rule's executable specification; tests/integration/test_routing_rule.py
-- checks this function against it.
--
-- A record is routed on the end of its SSIN's replacement chain (network_record.routed_ssin, set at
-- ingestion). A tenant is concerned when, today in Brussels, it holds an authorization for the flow
-- valid today and a line of that SSIN whose period contains the record's event date and whose
-- dossier type the authorization allows. Its journal row carries those lines' dossier types.
--
-- The records routed are those of p_flow with ids from p_first to p_last (the ingest inserted them,
-- under the network feed lock). The journal lock is taken only once the rows are computed: it
-- orders every journal writer, so it is held for the insert alone.
CREATE OR REPLACE FUNCTION raas_route_network(p_flow text, p_first bigint, p_last bigint) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  v_today date := raas_today();
  v_count int;
BEGIN
  -- the new records apart, analysed: the table's statistics predate them, and the plan of the join
  -- below depends on how many they are
  CREATE TEMPORARY TABLE raas_new ON COMMIT DROP AS
  SELECT id, routed_ssin, event_date FROM network_record WHERE flow = p_flow AND id BETWEEN p_first AND p_last;
  ANALYZE raas_new;
  CREATE TEMPORARY TABLE raas_routed ON COMMIT DROP AS
  SELECT n.id, r.tenant_id, n.routed_ssin, array_agg(DISTINCT r.dossier_type ORDER BY r.dossier_type) AS types
  FROM raas_new n
  -- ssin in the "C" collation: the lines come from ix_registration_holders (register/adapters/tables.py)
  JOIN registration r ON r.ssin COLLATE "C" = n.routed_ssin AND r.period @> n.event_date
  JOIN flow_authorization a ON a.tenant_id = r.tenant_id AND a.flow = p_flow AND a.validity @> v_today
       AND (a.dossier_types IS NULL OR r.dossier_type = ANY (a.dossier_types))
  GROUP BY n.id, r.tenant_id, n.routed_ssin;
  PERFORM raas_journal_lock();
  INSERT INTO journal (recorded_on, tenant_id, flow, ssin, dossier_types, network_record)
  SELECT v_today, t.tenant_id, p_flow, t.routed_ssin, t.types, t.id FROM raas_routed t ORDER BY t.id, t.tenant_id;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  DROP TABLE raas_routed, raas_new;
  RETURN v_count;
END
$$;
REVOKE ALL ON FUNCTION raas_route_network(text, bigint, bigint) FROM PUBLIC;
