# SPDX-License-Identifier: LGPL-2.1-or-later
"""Draws generated writes with fresh seeds until the time is up (scripts/explore.sh MINUTES).

Each round is a hypothesis run of up to ROUND_EXAMPLES writes with a new seed.  A failure is
shrunk by hypothesis to a minimal case and printed as a reproducer; its kind (the first line of
what failed, numbers and paths left out) is then remembered, so that later rounds look for other
failures instead of finding the same one again.  Exit status 1 when anything failed.
"""

import argparse
import os
import random
import re
import signal
import sys
import time

from hypothesis import HealthCheck, given, seed, settings

import cases

ROUND_EXAMPLES = 60
# Shrinking a failure re-runs writes; a stall costs its whole time bound each time.  After this
# long the smallest failing case found so far is reported.
SHRINK_SECONDS = 240

settings.register_profile(
    "explore", max_examples=ROUND_EXAMPLES, deadline=None, database=None, print_blob=False,
    suppress_health_check=list(HealthCheck))


def kind_of(failure):
    """What failed, without the numbers, paths and names that vary from case to case."""
    lines = str(failure).splitlines()
    first = lines[1].strip() if len(lines) > 1 else lines[0]
    first = re.sub(r"/tmp/\S+", "PATH", first)
    first = re.sub(r"\((video|audio): [^)]*\)", "", first)
    first = re.sub(r"“[^”]*”", "“…”", first)
    first = re.sub(r"(capsfilter|[a-z0-9]+enc|src|mux)\d+", r"\1N", first)
    return re.sub(r"\d+(\.\d+)?", "N", first)


def stop(*_):
    """SIGTERM: the worker goes too, at once (hypothesis would take an exception raised in a
    test body as a failure to shrink)."""
    cases.runner().stop()
    os._exit(143)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("minutes", type=float)
    parser.add_argument("--include-known-bugs", action="store_true",
                        help="draw the KNOWN_BUGS and OPEN_BUGS regions too (to see them fail)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, stop)
    end = time.monotonic() + args.minutes * 60
    seen, reports, again = set(), [], 0
    rounds = 0

    first_failure = last_failure = None

    def body(case):
        nonlocal again, first_failure, last_failure
        now = time.monotonic()
        if now > end or (first_failure and now - first_failure > SHRINK_SECONDS):
            return  # time is up: every further case passes, so the round ends at once
        try:
            cases.check(case)
        except cases.CaseFailure as failure:
            if kind_of(failure) in seen:
                again += 1
                return
            first_failure = first_failure or now
            last_failure = failure  # the smallest so far: shrinking only goes down
            raise

    while time.monotonic() < end:
        rounds += 1
        first_failure = last_failure = None
        round_seed = random.SystemRandom().randrange(2**64)
        test = given(cases.cases(include_known_bugs=args.include_known_bugs))(body)
        test = settings(settings.get_profile("explore"))(seed(round_seed)(test))
        try:
            test()
        except BaseException as error:  # noqa: B902 - hypothesis may raise a group
            if isinstance(error, KeyboardInterrupt):
                break
            found = list(error.exceptions) if isinstance(error, BaseExceptionGroup) else [error]
            if last_failure and not any(isinstance(f, cases.CaseFailure) for f in found):
                # Shrinking was cut short: hypothesis's replay of its smallest case passed
                # (Flaky); that case is the last one that failed.
                found = [last_failure]
            for failure in found:
                if not isinstance(failure, cases.CaseFailure):
                    raise
                kind = kind_of(failure)
                if kind in seen:
                    continue
                seen.add(kind)
                reports.append(str(failure))
                print(f"\n=== failure {len(reports)} (round {rounds}, seed {round_seed}) ===\n"
                      f"{failure}", flush=True)
        print(f"[round {rounds}] {cases.summary()}; {again} more of kinds already reported",
              flush=True)
    cases.runner().stop()
    print(f"\nexplored {args.minutes:g} min in {rounds} rounds: {cases.summary()}; "
          f"{len(reports)} kinds of failure, {again} more cases of those kinds")
    return 1 if reports else 0


if __name__ == "__main__":
    sys.exit(main())
