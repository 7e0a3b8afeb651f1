"""Hadolint-like checks of deploy/Dockerfile, in Python (no docker daemon or hadolint binary here).

parse() reads a Dockerfile into stages of instructions (continuations
joined, comments kept apart); violations() returns one sentence per broken
rule, so a test shows every problem at once. Rule ids follow hadolint's
where one exists (DLxxxx), else RAAS-n.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field

KEYWORDS = {
    "FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME",
    "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL", "MAINTAINER",
}  # fmt: skip
COMPILERS = re.compile(r"\b(gcc|g\+\+|cc|clang|make|build-essential|[\w.+-]+-dev|libpq-dev|python3-dev)\b")
PINNED_PYTHON = re.compile(
    r"^python:3\.13\.\d+-slim(-[a-z]+)?(@sha256:[0-9a-f]{64})?$|^python:3\.13[\w.-]*@sha256:[0-9a-f]{64}$"
)


@dataclass
class Instruction:
    keyword: str
    args: str
    line: int

    def exec_form(self) -> list[str] | None:
        try:
            value = json.loads(self.args)
        except ValueError:
            return None
        return value if isinstance(value, list) and all(isinstance(v, str) for v in value) else None


@dataclass
class Stage:
    image: str
    name: str | None
    line: int
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


@dataclass
class Dockerfile:
    args: dict[str, str]  # global ARG defaults, before the first FROM
    stages: list[Stage]
    unknown: list[Instruction]
    comments: list[str]


def parse(text: str) -> Dockerfile:
    args: dict[str, str] = {}
    stages: list[Stage] = []
    unknown: list[Instruction] = []
    comments: list[str] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("#"):
            comments.append(stripped)
            continue
        if not stripped and not pending:
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical, pending = pending + stripped, ""
        keyword, _, rest = logical.partition(" ")
        instruction = Instruction(keyword.upper(), rest.strip(), start)
        if instruction.keyword not in KEYWORDS:
            unknown.append(instruction)
        elif instruction.keyword == "FROM":
            words = [w for w in instruction.args.split() if not w.startswith("--")]  # --platform=...
            image = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), words[0])
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(image, name, start))
        elif instruction.keyword == "ARG" and not stages:
            key, _, default = instruction.args.partition("=")
            args[key.strip()] = default.strip()
        elif stages:
            stages[-1].instructions.append(instruction)
        else:
            unknown.append(instruction)
    return Dockerfile(args, stages, unknown, comments)


def violations(text: str, dockerignore: str = "") -> list[str]:
    found: list[str] = []
    df = parse(text)
    if df.unknown:
        found += [f"line {i.line}: unknown or misplaced instruction {i.keyword}" for i in df.unknown]
    if not df.stages:
        return [*found, "no FROM"]
    final = df.stages[-1]
    names = {s.name for s in df.stages if s.name}

    for stage in df.stages:
        if stage.image in names:
            continue
        if not PINNED_PYTHON.match(stage.image):
            found.append(
                f"line {stage.line}: DL3006/DL3007 base {stage.image!r} is not python:3.13.<patch>-slim or pinned by digest"
            )
    if len(df.stages) < 2:
        found.append("RAAS-1: single stage: build in one stage, copy only the results into the final image")
    if final.name and final.name in {
        i.args.split("--from=")[-1].split()[0] for s in df.stages for i in s.all("COPY") if "--from=" in i.args
    }:
        found.append("RAAS-2: the final stage is itself copied from")
    if not any("--from=" in i.args for i in final.all("COPY")):
        found.append("RAAS-3: the final stage copies nothing from the build stage")

    for stage in df.stages:
        for i in stage.instructions:
            if i.keyword == "ADD":
                found.append(f"line {i.line}: DL3020 ADD (use COPY; never ADD a URL)")
            if i.keyword == "WORKDIR" and not i.args.startswith("/"):
                found.append(f"line {i.line}: DL3000 WORKDIR {i.args} is not absolute")
            if i.keyword == "RUN":
                run = i.args
                if re.search(r"\bsudo\b", run):
                    found.append(f"line {i.line}: DL3004 sudo")
                if re.search(r"(curl|wget)[^|;&]*\|\s*(ba)?sh", run):
                    found.append(f"line {i.line}: RAAS-4 a script piped from the network into a shell")
                if "apt-get install" in run:
                    if "--no-install-recommends" not in run:
                        found.append(f"line {i.line}: DL3015 apt-get install without --no-install-recommends")
                    if "rm -rf /var/lib/apt/lists" not in run:
                        found.append(f"line {i.line}: DL3009 apt lists left in the layer")
                if "apt-get upgrade" in run or "dist-upgrade" in run:
                    found.append(f"line {i.line}: DL3005 apt-get upgrade (rebuild on a newer base instead)")
                for pip in re.finditer(r"pip (?:install|wheel)([^&|;]*)", run):
                    options = pip.group(1)
                    if not any(pinned in options for pinned in ("--no-deps", "--require-hashes", "-c ")):
                        found.append(f"line {i.line}: DL3013 pip without pinned versions (--require-hashes or -c)")
                    if re.search(r"(^|\s)(-e|--editable)\s", options + " "):
                        found.append(f"line {i.line}: RAAS-16 an editable install (install the built wheel)")
            if i.keyword == "ENV" and re.search(r"(PASSWORD|SECRET|TOKEN|DATABASE_URL)\w*=", i.args, re.I):
                found.append(f"line {i.line}: RAAS-5 a secret in ENV (it stays in the image)")

    for i in final.all("RUN"):
        if "install" in i.args and COMPILERS.search(i.args):
            found.append(f"line {i.line}: RAAS-6 a compiler or -dev package installed in the final image")
        if "pip install" in i.args:
            found.append(f"line {i.line}: RAAS-7 pip install in the final stage (install in the build stage)")

    users = final.all("USER")
    if not users:
        found.append("DL3002 no USER: the image runs as root")
    else:
        user = users[-1].args.split(":")[0]
        if not user.isdigit():
            found.append(f"RAAS-8 USER {users[-1].args} is not numeric (runAsNonRoot cannot verify a name)")
        elif int(user) == 0:
            found.append("DL3002 the last USER is root")
        group = users[-1].args.partition(":")[2]
        if group and group != "0":
            found.append("RAAS-9 the user's group is not 0 (OpenShift's arbitrary UIDs run in group 0)")
        after = [i for i in final.instructions if i.line > users[-1].line and i.keyword == "RUN"]
        if after:
            found.append(f"line {after[0].line}: RAAS-10 RUN after the last USER")

    entrypoint = final.all("ENTRYPOINT")
    if not entrypoint or entrypoint[-1].exec_form() != ["raas"]:
        found.append('RAAS-11 ENTRYPOINT is not ["raas"] (exec form)')
    cmd = final.all("CMD")
    if cmd and cmd[-1].exec_form() is None:
        found.append("DL3025 CMD in shell form (signals would not reach gunicorn)")
    exposed = {p.split("/")[0] for i in final.all("EXPOSE") for p in i.args.split()}
    bind = next((a for a in (cmd[-1].exec_form() or []) if re.fullmatch(r"[\d.]+:\d+", a)), None) if cmd else None
    if bind and bind.rsplit(":", 1)[1] not in exposed:
        found.append(f"RAAS-12 CMD binds {bind} but the image EXPOSEs {sorted(exposed)}")
    if bind and not bind.startswith("0.0.0.0:"):
        found.append(f"RAAS-13 CMD binds {bind}: other pods cannot reach it")

    if not final.all("HEALTHCHECK") and not any("no healthcheck" in c.lower() for c in df.comments):
        found.append("RAAS-14 no HEALTHCHECK and no comment saying why")
    for i in final.all("HEALTHCHECK"):
        if "curl" in i.args or "wget" in i.args:
            found.append(f"line {i.line}: RAAS-15 HEALTHCHECK uses a tool the slim image does not have")

    # the application reaches the image as its built wheel (its schemas, SQL and migrations are
    # package data): the package is in the build context, a wheel of it is built, no editable install
    sources = [src for stage in df.stages for i in stage.all("COPY") for src in _copy_sources(i)]
    allowed = {line.strip()[1:].rstrip("/") for line in dockerignore.splitlines() if line.strip().startswith("!")}
    named = any(src.strip("./").split("/")[0] == "register" for src in sources)
    if not (named and (not dockerignore or "register" in allowed)):
        found.append("RAAS-16 register/ is not copied into the build stage")
    runs = [i.args for stage in df.stages for i in stage.all("RUN")]
    if not any(re.search(r"pip wheel [^&|;]*\s\.(\s|$)|-m build\b", run) for run in runs):
        found.append("RAAS-16 no wheel of the application is built (install the built wheel, not the source tree)")
    if not any("--require-hashes" in run for run in runs):
        found.append("RAAS-17 no hash-checked install (pip --require-hashes -r deploy/requirements.txt)")
    return found


def _copy_sources(instruction: Instruction) -> list[str]:
    if instruction.args.startswith("--from="):
        return []  # paths inside another stage
    words = [w for w in shlex.split(instruction.args) if not w.startswith("--")]
    return words[:-1]
