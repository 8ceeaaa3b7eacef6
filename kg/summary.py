"""An import's summary for people (text) and for programs (JSON).

The text leads with the counts, then every refused study with each violation and where in its
record it came from, every input that could not be read, and what the importer noted about each
study (what was absent, groups it could not link, names it linked by name). Notes of many
studies are listed only when asked for: a bulk import of 100,000 records would print pages.
"""

from __future__ import annotations

from typing import Any

from kg.outcomes import ImportSummary
from kg.validate import compact
from kg.vocab import PREFIXES
from kg.write import Outcome

NOTES_SHOWN = 20
"""Up to this many studies, their notes are printed unless asked not to."""


def _compact(text: str | None) -> str | None:
    return None if text is None else compact(text, PREFIXES.items())


def _study_name(outcome: Outcome) -> str:
    return outcome.study.rsplit("/", 1)[-1].upper()


def render_text(summary: ImportSummary, *, notes: bool | None = None) -> str:
    """The summary as lines of text; ``notes`` None shows notes for small imports only."""
    records = len(summary.outcomes) + len(summary.errors)
    rate = len(summary.outcomes) / summary.seconds if summary.seconds else 0.0
    lines = [
        f"imported {summary.count('imported')}, replaced {summary.count('replaced')}, "
        f"unchanged {summary.count('unchanged')}, refused {summary.count('refused')}, "
        f"unreadable {len(summary.errors)} ({records} records in {summary.seconds:.1f} s, "
        f"{rate:.1f} studies/s)"
    ]
    for outcome in summary.outcomes:
        if not outcome.refused:
            continue
        lines.append(f"refused {_study_name(outcome)} ({outcome.origin}):")
        for problem in outcome.problems:
            where = f"{problem.pointer}: " if problem.pointer else ""
            path = f" {_compact(problem.path)}" if problem.path else ""
            value = f" = {problem.value}" if problem.value is not None else ""
            lines.append(
                f"  {where}<{_compact(problem.focus)}>{path}{value}: {problem.message}"
            )
    for error in summary.errors:
        lines.append(f"unreadable: {error}")
    with_notes = [o for o in summary.outcomes if o.notes]
    show = notes if notes is not None else len(summary.outcomes) <= NOTES_SHOWN
    if with_notes and show:
        lines.append("notes:")
        for outcome in with_notes:
            for note in outcome.notes:
                lines.append(f"  {_study_name(outcome)}: {note}")
    elif with_notes:
        lines.append(f"notes on {len(with_notes)} studies not shown (--notes shows them)")
    return "\n".join(lines) + "\n"


def as_json(summary: ImportSummary) -> dict[str, Any]:
    """The summary as a JSON object (``kg import ctgov|record --format json``)."""
    return {
        "imported": summary.count("imported"),
        "replaced": summary.count("replaced"),
        "unchanged": summary.count("unchanged"),
        "refused": summary.count("refused"),
        "unreadable": len(summary.errors),
        "seconds": round(summary.seconds, 3),
        "studies": [
            {
                "study": outcome.study,
                "origin": outcome.origin,
                "status": outcome.status,
                "problems": [
                    {
                        "severity": p.severity,
                        "focusNode": p.focus,
                        "path": p.path,
                        "value": p.value,
                        "message": p.message,
                        "pointer": p.pointer,
                    }
                    for p in outcome.problems
                ],
                "notes": list(outcome.notes),
            }
            for outcome in summary.outcomes
        ],
        "errors": [{"where": e.where, "message": e.message} for e in summary.errors],
    }
