#!/usr/bin/env python3
"""moto_server for `dlc deploy`'s tests, with moto's change sets made to
treat exports as its `create_stack` does.

Usage: moto_server.py PORT

moto 5.2's CloudFormation deploys a change set without computing the
stack's outputs or registering its exports, and creates a change set's new stack without the region's
exports to import from (`create_stack` does both; `execute_change_set` has
"TODO: handle execution errors"). On AWS a change set's stack exports and
imports like any other, so the Network stack imports what Storage exports.
The two methods are wrapped here, in one place, to do the same; nothing
else of moto changes, and the templates are moto_deploy.py's.
"""

import sys

from moto.cloudformation.models import CloudFormationBackend


def _create_change_set(original):
    def create_change_set(self, *args, **kwargs):
        change_set_id, stack_id = original(self, *args, **kwargs)
        stack = self.stacks[stack_id]
        # The new stack's resources may import the region's exports.
        stack.cross_stack_resources = self.exports
        stack.resource_map.cross_stack_resources = self.exports
        return change_set_id, stack_id

    return create_change_set


def _execute_change_set(original):
    def execute_change_set(self, *args, **kwargs):
        original(self, *args, **kwargs)
        for stack in self.stacks.values():
            if stack.status.endswith("_COMPLETE") and isinstance(stack.template, str):
                # The outputs of the template just applied, not of the
                # empty one the change set's stack was created with.
                stack._parse_template()
                stack.output_map = stack._create_output_map()
            for export in stack.exports:
                self.exports[export.name] = export

    return execute_change_set


CloudFormationBackend.create_change_set = _create_change_set(CloudFormationBackend.create_change_set)
CloudFormationBackend.execute_change_set = _execute_change_set(CloudFormationBackend.execute_change_set)

if __name__ == "__main__":
    from moto.server import main

    main(["-H", "127.0.0.1", "-p", sys.argv[1]])
