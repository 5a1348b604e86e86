#!/usr/bin/env python3
"""Rewrite every template of a dlc output folder as moto_deploy.py sends it.

Usage: adapt_output_for_moto.py OUT_DIR

`dlc deploy --from OUT_DIR` then deploys the same templates into moto that
moto_deploy.py does: the compiler's output is never changed for moto, only
this copy, through the one function `adapt_for_moto`.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from moto_deploy import adapt_for_moto  # noqa: E402


def main():
    out = sys.argv[1]
    with open(os.path.join(out, "manifest.json")) as f:
        manifest = json.load(f)
    stacks = manifest["stacks"] + manifest["bootstrap"] + manifest["pipelines"]
    for stack in stacks:
        path = os.path.join(out, stack["template"])
        with open(path) as f:
            template = json.load(f)
        adapted = adapt_for_moto(template, stack["account"], stack["region"])
        with open(path, "w") as f:
            json.dump(adapted, f, indent=2)


if __name__ == "__main__":
    main()
