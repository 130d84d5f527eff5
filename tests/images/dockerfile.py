"""Reading Dockerfiles for the checks hadolint does not make: instructions with their raw lines
(comments included, which Docker drops from continued lines), stages, and apt packages that
lack a comment saying why they are there."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMAGES_DIR = ROOT / "images"
# Ends an `apt-get install` command inside a RUN.
COMMAND_END = re.compile(r"&&|\|\||;|\|")


@dataclass
class Instruction:
    keyword: str  # upper case: FROM, RUN, COPY...
    arguments: str  # continuation lines joined, comment lines left out
    lines: list[str]  # as written, comment lines included
    stage: int  # 0 for the first FROM's stage

    def exec_form(self) -> list[str]:
        """ENTRYPOINT/CMD arguments in JSON (exec) form."""
        return json.loads(self.arguments)


def parse(text: str) -> list[Instruction]:
    instructions: list[Instruction] = []
    lines: list[str] = []
    stage = -1
    for raw in text.splitlines():
        stripped = raw.strip()
        if not lines and (not stripped or stripped.startswith("#")):
            continue  # a comment or blank line between instructions
        lines.append(raw)
        if stripped.startswith("#") or not stripped or stripped.endswith("\\"):
            continue  # the instruction goes on
        code = [line.strip().removesuffix("\\").strip() for line in lines]
        keyword, _, arguments = " ".join(c for c in code if c and not c.startswith("#")).partition(
            " "
        )
        if keyword.upper() == "FROM":
            stage += 1
        instructions.append(Instruction(keyword.upper(), arguments.strip(), lines, stage))
        lines = []
    return instructions


def read(path: Path) -> list[Instruction]:
    return parse(path.read_text())


def final_stage(instructions: list[Instruction]) -> list[Instruction]:
    last = max(i.stage for i in instructions)
    return [i for i in instructions if i.stage == last]


def apt_packages(instruction: Instruction) -> tuple[list[str], list[str]]:
    """(packages, uncommented): what the `apt-get install` commands of a RUN install, and those
    not alone on a line right below a comment line."""
    packages: list[str] = []
    uncommented: list[str] = []
    installing = commented = False
    for raw in instruction.lines:
        line = raw.strip()
        if line.startswith("#"):
            commented = True
            continue
        rest: str | None = line.removesuffix("\\").strip()
        while rest is not None:
            if not installing:
                found = re.search(r"\bapt-get\s+install\b(.*)", rest)
                if found is None:
                    break
                installing, rest = True, found.group(1)
            head, *ended = COMMAND_END.split(rest, maxsplit=1)
            named = [token for token in head.split() if not token.startswith("-")]
            packages += named
            uncommented += named[1:] if commented else named
            commented = False
            installing, rest = (False, ended[0]) if ended else (True, None)
        commented = False
    return packages, uncommented


def arg_default(instructions: list[Instruction], name: str) -> str | None:
    for instruction in instructions:
        if instruction.keyword == "ARG" and instruction.arguments.startswith(f"{name}="):
            return instruction.arguments.partition("=")[2]
    return None


def image_names() -> list[str]:
    return sorted(p.name for p in IMAGES_DIR.iterdir() if (p / "Dockerfile").is_file())
