"""Answers checked before a load phase: a sample of its calls sent one by one, each answer parsed.

A load generator only tells answers from faults by a few bytes; the sample makes sure the
phase measures real successes (the register call answered for its ssin, the listing with the
lines of the ssin asked, the echo echoed).
"""

from __future__ import annotations

from lxml import etree

from bench.envelopes import ECHO_NS, REGISTER, SOAP_ENV, connection, post
from bench.plans import SAMPLE, Plan


class BadAnswer(Exception):
    pass


def _body_child(answer: bytes):
    root = etree.fromstring(answer)
    body = root.find(f"{{{SOAP_ENV}}}Body")
    if body is None or len(body) == 0:
        raise BadAnswer("no SOAP Body")
    child = body[0]
    if child.tag == f"{{{SOAP_ENV}}}Fault":
        raise BadAnswer(f"a fault: {child.findtext('faultcode')}: {child.findtext('faultstring')}")
    return child


def check_sample(url: str, plan: Plan, mode: str, count: int = SAMPLE) -> list[str]:
    """Sends the plan's first ``count`` calls one by one and checks each answer; returns notes."""
    conn = connection(url)
    try:
        return [_check_one(url, plan, mode, i, conn) for i in range(count)]
    finally:
        conn.close()


def _check_one(url: str, plan: Plan, mode: str, i: int, conn) -> str:
    """Call ``i`` of the plan, its answer parsed: a real success, or BadAnswer. Returns a note on it."""
    status, answer, _ = post(url, plan.body(i), conn)
    try:
        child = _body_child(answer)
    except (BadAnswer, etree.XMLSyntaxError) as error:
        text = answer[:600].decode(errors="replace")
        raise BadAnswer(f"{plan.name} call {i}: HTTP {status}, {error}\n{text}") from None
    if status != 200:
        raise BadAnswer(f"{plan.name} call {i}: HTTP {status}")
    if mode == "register":
        line = child.find(f"{{{REGISTER}}}registration")
        ssin = line.findtext(f"{{{REGISTER}}}ssin") if line is not None else None
        merged = child.findtext(f"{{{REGISTER}}}mergedCount")
        changed = child.findtext(f"{{{REGISTER}}}changed")
        if ssin != plan.keys[i][1] or merged is None or changed not in ("true", "false"):
            raise BadAnswer(f"register call {i}: unexpected answer\n{answer.decode()}")
        return f"{plan.keys[i][0]}: mergedCount={merged} changed={changed}"
    if mode == "list":
        lines = child.findall(f"{{{REGISTER}}}registrations/{{{REGISTER}}}registration")
        sent = etree.fromstring(plan.body(i)).findtext(f".//{{{REGISTER}}}ssin")
        if not lines or any(line.findtext(f"{{{REGISTER}}}ssin") != sent for line in lines):
            raise BadAnswer(f"list call {i}: expected lines of {sent}\n{answer.decode()}")
        return f"{len(lines)} line(s)"
    if child.tag != f"{{{ECHO_NS}}}echoResponse":
        raise BadAnswer(f"echo call {i}: unexpected answer\n{answer.decode()}")
    return "echoed"
