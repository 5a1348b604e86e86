#!/usr/bin/env python3
"""moto_server for `dlc deploy`'s tests, its change sets made to behave as
CloudFormation's do where moto 5.2's differ.

Usage: moto_server.py PORT

Three differences, each changed here in one place; nothing else of moto
changes, and the templates are moto_deploy.py's:

- moto deploys a change set without computing the stack's outputs or
  registering its exports, and creates a change set's new stack without the
  region's exports to import (`create_stack` does both; on AWS a change
  set's stack exports and imports like any other).
- moto raises a resource's failure from ExecuteChangeSet itself ("TODO:
  handle execution errors and implement rollback"). CloudFormation accepts
  the execution, records the resource's `CREATE_FAILED` (or
  `UPDATE_FAILED`) event with the reason, and rolls the stack back: so
  here the failure becomes that event and the stack `ROLLBACK_COMPLETE`
  (`UPDATE_ROLLBACK_COMPLETE` for an update), which is what `dlc deploy`
  traces to the lake line.
"""

import sys

from moto.cloudformation import parsing
from moto.cloudformation.models import CloudFormationBackend, Event

# The resource moto was creating when the failure came.
_attempt = {}
_parse_and_create_resource = parsing.parse_and_create_resource


def _parse_and_create(logical_id, resource_json, *args, **kwargs):
    _attempt["resource"] = (logical_id, resource_json.get("Type", ""))
    return _parse_and_create_resource(logical_id, resource_json, *args, **kwargs)


parsing.parse_and_create_resource = _parse_and_create


def _change_set(backend, name):
    if name in backend.change_sets:
        return backend.change_sets[name]
    return next(cs for cs in backend.change_sets.values() if cs.change_set_name == name)


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
    def execute_change_set(self, change_set_name, *args, **kwargs):
        _attempt.clear()
        try:
            original(self, change_set_name, *args, **kwargs)
        except Exception as error:
            if "resource" not in _attempt:
                raise
            _fail_as_cloudformation_does(self, change_set_name, error)
            return
        for stack in self.stacks.values():
            if stack.status.endswith("_COMPLETE") and isinstance(stack.template, str):
                # The outputs of the template just applied, not of the
                # empty one the change set's stack was created with.
                stack._parse_template()
                stack.output_map = stack._create_output_map()
            for export in stack.exports:
                self.exports[export.name] = export

    return execute_change_set


def _fail_as_cloudformation_does(backend, change_set_name, error):
    change_set = _change_set(backend, change_set_name)
    stack = backend.stacks[change_set.stack_id]
    creating = change_set.change_set_type == "CREATE"
    logical_id, kind = _attempt["resource"]
    reason = getattr(error, "message", None) or str(error)
    stack.events.append(
        Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id="",
            resource_type=kind,
            resource_status="CREATE_FAILED" if creating else "UPDATE_FAILED",
            resource_status_reason=reason,
            resource_properties=None,
        )
    )
    status = "ROLLBACK_COMPLETE" if creating else "UPDATE_ROLLBACK_COMPLETE"
    stack._add_stack_event(status)
    stack.status = status
    change_set.execution_status = "EXECUTE_FAILED"


CloudFormationBackend.create_change_set = _create_change_set(CloudFormationBackend.create_change_set)
CloudFormationBackend.execute_change_set = _execute_change_set(CloudFormationBackend.execute_change_set)

if __name__ == "__main__":
    from moto.server import main

    main(["-H", "127.0.0.1", "-p", sys.argv[1]])
