"""`raas flow ingest`'s use case (CONTRACT.md section 9): the file checked whole, applied all or nothing,
idempotent by reference, routed at ingestion; every refusal names its line; hostile feeds refused."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from register.services.network_feed import MAX_PAYLOAD_BYTES, FeedError
from tests.conftest import new_ssin, wrong_check_digits
from tests.integration.network.conftest import (
    DIMONA_NS,
    NS,
    Record,
    declaration,
    feed_text,
    grant,
    journal_rows,
    line,
    stored_records,
    today,
)


@pytest.fixture
def tenant(world):
    bce = world.tenant("A", "B")
    return bce, world.tenants.id_of(bce)


FIELDS = ("record", "reference", "ssin", "eventDate", "kind", "payload")


def at(index: int, field: str = "record") -> int:
    """The line of a field of the feed's record ``index`` (from 0), as conftest.Record writes them."""
    return 4 + 7 * index + FIELDS.index(field)


def refused(flows, path) -> FeedError:
    with pytest.raises(FeedError) as caught:
        flows.ingest(path)
    return caught.value


def nothing_stored(engine) -> bool:
    with engine.connect() as c:
        return (
            c.execute(text("SELECT (SELECT count(*) FROM network_record) + (SELECT count(*) FROM journal)")).scalar()
            == 0
        )


def test_records_are_stored_routed_and_counted(flows, dimona, world, tenant, engine, write_feed):
    bce, tenant_id = tenant
    jan, marie = world.person(), world.person("Janssens", "Marie", "1990-02-02", "F")
    line(engine, tenant_id, jan, "A")
    line(engine, tenant_id, jan, "B", "2024-03-01")
    grant(flows, bce, dimona)
    path = write_feed(dimona, Record("D-1", jan), Record("D-2", marie, kind="OUT"))

    code, done = flows.ingest(path)

    assert (code, done.read, done.new, done.already_there, done.mutations) == ("DIMONA", 2, 2, 0, 1)
    assert journal_rows(engine, dimona) == [(tenant_id, jan, ["A", "B"], "D-1")]
    (first, second) = stored_records(engine)
    assert first == ("D-1", jan, jan, "IN", declaration())
    assert second[:4] == ("D-2", marie, marie, "OUT")


def test_ingesting_the_same_feed_again_changes_nothing(flows, dimona, world, tenant, engine, write_feed):
    bce, tenant_id = tenant
    jan = world.person()
    line(engine, tenant_id, jan)
    grant(flows, bce, dimona)
    path = write_feed(dimona, Record("D-1", jan), Record("D-2", jan))
    flows.ingest(path)
    before = (stored_records(engine), journal_rows(engine, dimona))

    _, again = flows.ingest(path)

    assert (again.new, again.already_there, again.mutations) == (0, 2, 0)
    assert (stored_records(engine), journal_rows(engine, dimona)) == before


def test_an_equal_payload_written_otherwise_is_the_same_record(flows, dimona, world, write_feed):
    jan = world.person()
    flows.ingest(write_feed(dimona, Record("D-1", jan)))
    spaced = f'<x:declaration   xmlns:x="{DIMONA_NS}" ><employer>ACME &#38; Co</employer><!-- a note -->' + (
        "<jointCommittee>200</jointCommittee></x:declaration>"
    )
    _, done = flows.ingest(
        write_feed(dimona, Record("D-1", jan, payload=spaced.replace("x:", "d:").replace(":x", ":d")))
    )
    assert (done.new, done.already_there) == (0, 1)


def test_a_repeated_reference_in_one_file_is_stored_once_when_equal(flows, dimona, world, write_feed, engine):
    jan = world.person()
    _, done = flows.ingest(write_feed(dimona, Record("D-1", jan), Record("D-1", jan)))
    assert (done.read, done.new, done.already_there) == (2, 1, 1)


def test_a_record_that_differs_from_one_stored_refuses_the_whole_file(flows, dimona, world, write_feed, engine):
    jan = world.person()
    flows.ingest(write_feed(dimona, Record("D-1", jan)))
    before = stored_records(engine)
    error = refused(flows, write_feed(dimona, Record("D-2", jan), Record("D-1", jan, kind="OUT")))
    assert error.line == at(1) and "reference D-1 of DIMONA was ingested on" in error.reason
    assert "with other content" in error.reason
    assert stored_records(engine) == before


def test_a_reference_given_twice_to_different_records_names_the_later_line(flows, dimona, world, write_feed, engine):
    jan = world.person()
    error = refused(flows, write_feed(dimona, Record("D-1", jan), Record("D-1", jan, event_date="2024-03-02")))
    assert (error.line, error.reason) == (at(1), "reference D-1 was given to another record on line 4")
    assert nothing_stored(engine)


def test_an_unknown_ssin_on_the_last_line_leaves_nothing_applied(flows, dimona, world, tenant, write_feed, engine):
    bce, tenant_id = tenant
    jan = world.person()
    line(engine, tenant_id, jan)
    grant(flows, bce, dimona)
    stranger = new_ssin()
    records = [Record(f"D-{i}", jan) for i in range(1, 1200)] + [Record("D-last", stranger)]
    error = refused(flows, write_feed(dimona, *records))
    assert (error.line, error.reason) == (at(1199), f"ssin {stranger} is not known to the authentic source")
    assert nothing_stored(engine)


@pytest.mark.parametrize(
    "record, line, reason",
    [
        (Record("D-9", "85073003328", kind="in"), at(1, "kind"), "kind"),
        (Record("", "85073003328"), at(1, "reference"), "reference"),
        (Record("R" * 65, "85073003328"), at(1, "reference"), "reference"),
        (Record("D-9", "8507300332"), at(1, "ssin"), "ssin"),
        (Record("D-9", "85073003328", event_date="2024-02-30"), at(1, "eventDate"), "eventDate"),
        (Record("D-9", "85073003328", payload=f'<n:x xmlns:n="{NS}"/>'), at(1, "payload"), "not expected"),
        (Record("D-9", "85073003328", payload="<plain/>"), at(1, "payload"), "not expected"),
        (Record("D-9", "85073003328", payload=declaration() + declaration()), at(1, "payload"), "not expected"),
    ],
)
def test_a_record_against_the_feed_schema_is_refused_naming_its_line(
    flows, dimona, write_feed, engine, record, line, reason
):
    error = refused(flows, write_feed(dimona, Record("D-1", "85073003328"), record))
    assert error.line == line and reason in error.reason, error
    assert nothing_stored(engine)


def test_wrong_check_digits_name_the_ssin_line(flows, dimona, world, write_feed, engine):
    bad = wrong_check_digits(world.person())
    error = refused(flows, write_feed(dimona, Record("D-1", bad)))
    assert (error.line, error.reason) == (at(0, "ssin"), f"ssin {bad}: wrong check digits or an impossible birth date")


def test_a_payload_invalid_for_its_flow_names_its_line(flows, dimona, world, write_feed):
    jan = world.person()
    wrong = f'<d:declaration xmlns:d="{DIMONA_NS}">\n<jointCommittee>200</jointCommittee></d:declaration>'
    error = refused(flows, write_feed(dimona, Record("D-1", jan, payload=wrong)))
    assert (
        error.line == at(0, "payload") + 1
        and "the payload is not valid for its flow" in error.reason
        and "jointCommittee" in error.reason
    )


def test_a_payload_of_another_element_of_the_flows_namespace_is_refused(flows, dimona, world, write_feed):
    jan = world.person()
    error = refused(flows, write_feed(dimona, Record("D-1", jan, payload=f'<d:other xmlns:d="{DIMONA_NS}"/>')))
    assert error.line == at(0, "payload") and "No matching global declaration" in error.reason


def test_a_flow_without_schema_takes_any_payload_of_another_namespace(flows, world, write_feed, engine):
    flows.define("ACTIVA", "Activation")
    jan = world.person()
    _, done = flows.ingest(write_feed("ACTIVA", Record("A-1", jan, payload='<a:m xmlns:a="urn:a">free</a:m>')))
    assert done.new == 1 and stored_records(engine)[0][4] == '<a:m xmlns:a="urn:a">free</a:m>'


@pytest.mark.parametrize(
    "flow, reason",
    [("ACTIVA", "no network flow ACTIVA is defined"), ("SSIN_REPLACED", "is a register flow")],
)
def test_an_undefined_flow_refuses_the_file_at_its_line(flows, write_feed, flow, reason):
    error = refused(flows, write_feed(flow, Record("D-1", "85073003328")))
    assert error.line == 3 and reason in error.reason


# --- routing at ingestion (CONTRACT.md section 9) -------------------------------------------------


def test_a_record_goes_to_each_tenant_with_a_valid_authorization_and_a_line_containing_its_event_date(
    flows, dimona, world, engine, write_feed
):
    jan = world.person()
    tenants = {}
    for name in ("current", "restricted", "ended", "unauthorized", "no_line_that_day", "other_type"):
        bce = world.tenant("A", "B")
        tenants[name] = (bce, world.tenants.id_of(bce))
    grant(flows, tenants["current"][0], dimona)
    grant(flows, tenants["restricted"][0], dimona, types=["B"])
    grant(flows, tenants["ended"][0], dimona, end=today().replace(day=1) - __import__("datetime").timedelta(days=1))
    grant(flows, tenants["no_line_that_day"][0], dimona)
    grant(flows, tenants["other_type"][0], dimona, types=["B"])
    for name in ("current", "restricted", "ended", "unauthorized"):
        line(engine, tenants[name][1], jan, "A", "2024-01-01", "2024-12-31")
        line(engine, tenants[name][1], jan, "B", "2024-03-01")
    line(engine, tenants["no_line_that_day"][1], jan, "A", "2024-03-02")  # starts the day after the event
    line(engine, tenants["other_type"][1], jan, "A", "2024-01-01")

    _, done = flows.ingest(write_feed(dimona, Record("D-1", jan, event_date="2024-03-01")))

    assert done.mutations == 2
    assert journal_rows(engine, dimona) == [
        (tenants["current"][1], jan, ["A", "B"], "D-1"),
        (tenants["restricted"][1], jan, ["B"], "D-1"),
    ]


def test_a_record_on_a_replaced_ssin_is_routed_on_the_end_of_its_chain(
    flows, dimona, world, tenant, engine, write_feed
):
    bce, tenant_id = tenant
    old, middle, new = world.person(), world.person(), world.person()
    world.set_status(old, "REPLACED", middle)
    world.set_status(middle, "REPLACED", new)
    line(engine, tenant_id, new)
    grant(flows, bce, dimona)

    _, done = flows.ingest(write_feed(dimona, Record("D-1", old)))

    assert done.mutations == 1 and journal_rows(engine, dimona) == [(tenant_id, new, ["A"], "D-1")]
    assert stored_records(engine)[0][:3] == ("D-1", old, new)


# --- hostile feeds ---------------------------------------------------------------------------------


def test_a_doctype_with_entities_is_refused_unexpanded(flows, dimona, write_feed, engine):
    laughs = '<!DOCTYPE n:NetworkFeed [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
    error = refused(
        flows,
        write_feed(dimona, Record("D-1", "85073003328", payload='<d:x xmlns:d="urn:d">&b;</d:x>'), prolog=laughs),
    )
    assert error.line == 1 and "DOCTYPE" in error.reason
    assert nothing_stored(engine)


def test_an_external_entity_is_never_read(flows, dimona, tmp_path, write_feed):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    prolog = f'<!DOCTYPE n:NetworkFeed [<!ENTITY s SYSTEM "file://{secret}">]>\n'
    error = refused(
        flows, write_feed(dimona, Record("D-1", "85073003328", payload='<d:x xmlns:d="urn:d">&s;</d:x>'), prolog=prolog)
    )
    assert "DOCTYPE" in error.reason and "TOP SECRET" not in str(error)


def test_a_wrong_root_namespace_is_refused(flows, tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<NetworkFeed xmlns="urn:be:raas:network:v2"><flow>DIMONA</flow></NetworkFeed>\n'
    )
    error = refused(flows, path)
    assert error.line == 2 and "the root element is {urn:be:raas:network:v2}NetworkFeed" in error.reason


def test_a_huge_payload_is_refused(flows, world, write_feed):
    flows.define("ACTIVA", "Activation")
    big = '<a:m xmlns:a="urn:a">' + "x" * (MAX_PAYLOAD_BYTES + 1) + "</a:m>"
    error = refused(flows, write_feed("ACTIVA", Record("A-1", world.person(), payload=big)))
    assert error.line == at(0, "payload") and "over 65,536 bytes" in error.reason


def test_nesting_deeper_than_256_is_refused(flows, world, write_feed):
    flows.define("ACTIVA", "Activation")
    deep = '<a:m xmlns:a="urn:a">' + "<a:m>" * 300 + "</a:m>" * 300 + "</a:m>"
    error = refused(flows, write_feed("ACTIVA", Record("A-1", world.person(), payload=deep)))
    assert "not well-formed XML" in error.reason and error.line == at(0, "payload")


def test_a_processing_instruction_in_a_payload_is_refused(flows, world, write_feed):
    flows.define("ACTIVA", "Activation")
    error = refused(
        flows, write_feed("ACTIVA", Record("A-1", world.person(), payload='<a:m xmlns:a="urn:a"><?x y?></a:m>'))
    )
    assert error.line == at(0, "payload") and "processing instructions" in error.reason


@pytest.mark.parametrize(
    "content, line, reason",
    [
        ("<n:NetworkFeed", 1, "not well-formed"),
        (f'<n:NetworkFeed xmlns:n="{NS}"><n:flow>DIMONA</n:flow></n:NetworkFeed>', 1, "Expected is ( record )"),
        (f'<n:NetworkFeed xmlns:n="{NS}"></n:NetworkFeed>', 1, "first element must be its flow"),
        (f'<n:NetworkFeed xmlns:n="{NS}" a="1"><n:flow>DIMONA</n:flow></n:NetworkFeed>', 1, "takes no attributes"),
        ('<?xml version="1.0" encoding="ISO-8859-1"?>\n<n:NetworkFeed xmlns:n="urn:be:raas:network:v1"/>', 1, "UTF-8"),
        (f'<n:NetworkFeed xmlns:n="{NS}">\n<n:flow>DIMONA</n:flow>\n<x:y xmlns:x="urn:x"/></n:NetworkFeed>', 3, "y"),
    ],
)
def test_malformed_feeds_are_refused(flows, dimona, tmp_path, content, line, reason):
    path = tmp_path / "feed.xml"
    path.write_text(content)
    error = refused(flows, path)
    assert error.line == line and reason in error.reason, error


@pytest.mark.parametrize("count", [499, 500, 501, 1000])
def test_feeds_around_a_validation_slice_are_read_whole(flows, dimona, world, write_feed, count):
    jan = world.person()
    _, done = flows.ingest(write_feed(dimona, *(Record(f"D-{i}", jan) for i in range(count))))
    assert (done.read, done.new) == (count, count)


def test_a_record_end_tag_inside_a_payload_does_not_cut_the_record(flows, world, write_feed, engine):
    """The reader cuts the file after records' end tags found as text (register/services/feed_reader.py):
    one in a CDATA section, a comment or a nested element of a payload is no record's end."""
    flows.define("ACTIVA", "Activation")
    jan = world.person()
    tricky = [
        '<a:m xmlns:a="urn:a"><![CDATA[</n:record> and </record >]]></a:m>',
        '<a:m xmlns:a="urn:a"><!-- </n:record> --></a:m>',
        f'<a:m xmlns:a="urn:a"><n:record xmlns:n="{NS}">nested</n:record></a:m>',
    ]
    records = [Record(f"A-{i}", jan, payload=tricky[i % 3] if i % 7 == 0 else "") for i in range(1200)]
    _, done = flows.ingest(write_feed("ACTIVA", *records))
    assert (done.read, done.new) == (1200, 1200)
    with engine.connect() as c:
        stored = dict(
            c.execute(
                text("SELECT reference, payload FROM network_record WHERE reference IN ('A-0', 'A-7', 'A-14')")
            ).all()
        )
    assert stored == {
        "A-0": '<a:m xmlns:a="urn:a">&lt;/n:record&gt; and &lt;/record &gt;</a:m>',
        "A-7": '<a:m xmlns:a="urn:a"></a:m>',  # comments are not content (exclusive C14N without comments)
        "A-14": f'<a:m xmlns:a="urn:a"><n:record xmlns:n="{NS}">nested</n:record></a:m>',
    }


def test_a_syntax_error_deep_in_a_large_feed_names_its_line(flows, dimona, world, write_feed):
    jan = world.person()
    records = [Record(f"D-{i}", jan) for i in range(1500)]
    path = write_feed(dimona, *records)
    lines = path.read_text().splitlines(keepends=True)
    broken = at(1234, "kind") - 1
    lines[broken] = lines[broken].replace("<n:kind>IN</n:kind>", "<n:kind>IN</n:knd>")
    path.write_text("".join(lines))
    error = refused(flows, path)
    assert error.line == at(1234, "kind") and "not well-formed XML" in error.reason, error


def test_a_feed_on_one_line_is_read(flows, dimona, world, tmp_path):
    jan = world.person()
    path = tmp_path / "one-line.xml"
    path.write_text(feed_text(dimona, [Record(f"D-{i}", jan) for i in range(700)]).replace("\n", ""))
    _, done = flows.ingest(path)
    assert done.new == 700
