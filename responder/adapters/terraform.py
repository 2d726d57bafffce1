"""The terraform adapter: the only module that runs `terraform` (or `tofu`).

Commands are built by python-terraform (`init`, `plan`, `show`, `apply`),
with these changes to what it does on its own, each for a reason:

- it runs commands with `subprocess.Popen` and no timeout, and logs their
  full output (including `show -json`, which holds sensitive values in
  clear) at debug level. Here every command goes through the one
  subprocess wrapper instead (`responder.adapters.process.run`): an argument list,
  a timeout, secrets redacted. Output is returned, not logged: the caller
  logs plan and apply output after registering the plan's sensitive values
  with the redactor, and never logs `show -json`;
- it reads the local state file after every command. That keeps sensitive
  values in memory and fails on a state another run is writing: off;
- it adds a temporary `-var-file` of its own to every init, plan and apply.
  Older terraform refuses variables with a saved plan: off, and refused.
  The only var files passed are the ones a caller names to `plan` (a dry
  run's private copy of the edited vars file), and a last check on the
  argument list makes sure they are exactly those;
- its `init` passes `-reconfigure` by default, which silently drops a
  changed backend configuration: off, so terraform asks a person instead;
- its `apply` only adds `-auto-approve` when asked to skip the plan. We
  never ask, and a last check on the final argument list refuses any apply
  without exactly one existing plan file, any auto-approve, `destroy`, and
  any command this adapter does not need.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from responder.adapters.process import ProcessFailed, run
from responder.errors import ResponderError

log = logging.getLogger("responder.adapters.terraform")

BINARIES = ("terraform", "tofu")
MIN_TERRAFORM = (1, 5)
_ALLOWED = {"init", "plan", "show", "apply", "version"}
_SUMMARY = re.compile(r"^(Apply complete!.*|No changes\..*|Plan: .*)$", re.MULTILINE)
_LOCK_FIELDS = re.compile(r"^\s*(ID|Path|Operation|Who|Version|Created):\s*(.*)$", re.MULTILINE)
# The environment terraform runs in: no prompts, no version check phoning home.
_AUTOMATION_ENV = {"TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1"}


class TerraformError(ResponderError):
    """terraform failed, or could not be run; the message carries its error, secrets masked."""


class StateLocked(TerraformError):
    """The stack's state is locked by another run or person. Never retried in a loop."""

    def __init__(self, message: str, *, lock: Mapping[str, str], hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.lock = dict(lock)


class UnsafeCommand(TerraformError):
    """A command this adapter must never run (apply without a checked plan file, destroy, ...)."""


@dataclass(frozen=True)
class Run:
    """What a plan or apply printed. The caller logs `output` once it has registered the plan's
    sensitive values with the redactor: terraform prints some of them in clear."""

    summary: str  # "Plan: 0 to add, 1 to change, 0 to destroy.", "Apply complete! ...", "No changes. ..."
    output: str
    has_changes: bool = False


class TerraformRunner(Protocol):
    """terraform in one stack, as the change engine drives it: check the version, init, plan, read the
    plan, apply exactly that plan. Terraform is the real one."""

    @property
    def binary(self) -> str: ...
    def version(self) -> str: ...
    def init(self) -> None: ...
    def plan(self, out: Path, var_files: Sequence[Path] = ()) -> Run: ...
    def show_json(self, plan_file: Path) -> str: ...
    def apply(self, plan_file: Path) -> Run: ...


class Terraform:
    """terraform in one stack directory."""

    def __init__(self, stack_dir: Path, *, binary: str = "terraform", lock_timeout: str = "60s",
                 timeout: float = 900.0, env: Mapping[str, str] | None = None, label: str | None = None) -> None:
        if binary not in BINARIES:
            raise TerraformError(f"guardrails.binary must be one of {', '.join(BINARIES)}, got {binary!r}")
        self.stack_dir = Path(stack_dir)
        self.binary = binary
        self.lock_timeout = lock_timeout
        self.timeout = timeout
        self.label = label or str(stack_dir)
        self._env = {**(env if env is not None else os.environ), **_AUTOMATION_ENV}
        self._client: Any = None

    # ------------------------------------------------------------ commands

    def version(self) -> str:
        out = self._check("version", self._cli().cmd("version", json=_flag(), no_color=_flag()))
        try:
            version = str(json.loads(out)["terraform_version"])
        except (ValueError, KeyError, TypeError):
            raise TerraformError(f"{self.binary} version -json gave no version") from None
        if self.binary == "terraform" and _numbers(version) < MIN_TERRAFORM:
            raise TerraformError(f"terraform {version} is too old: the responder needs terraform >= 1.5 or OpenTofu",
                                 hint="Install terraform 1.5 or newer, or set guardrails.binary: tofu.")
        return version

    def init(self) -> None:
        from python_terraform import IsNotFlagged

        self._check("init", self._cli().init(reconfigure=IsNotFlagged, backend=True))

    def plan(self, out: Path, var_files: Sequence[Path] = ()) -> Run:
        """Plan with state locking into the plan file `out`. Exit 2 of -detailed-exitcode means changes.

        `var_files` are passed as `-var-file`, in order, after the stack's own `*.auto.tfvars(.json)`: their
        values win over those (a dry run plans its edit this way, without writing into the checkout).
        """
        files = [str(Path(path).absolute()) for path in var_files]
        code, stdout, stderr = self._cli().plan(None, out=str(out), lock=True, lock_timeout=self.lock_timeout,
                                                refresh=True, var_file=files or None)
        if code not in (0, 2):
            self._check("plan", (code, stdout, stderr))
        return Run(_summary(stdout), stdout + stderr, has_changes=code == 2)

    def show_json(self, plan_file: Path) -> str:
        """`show -json PLAN`. It holds sensitive values in clear: never log it."""
        return self._check("show", self._cli().cmd("show", str(plan_file), json=_flag(), no_color=_flag()))

    def apply(self, plan_file: Path) -> Run:
        """Apply exactly this saved plan file."""
        if not Path(plan_file).is_file():
            raise UnsafeCommand(f"refusing to apply: the plan file {plan_file} does not exist")
        out = self._check("apply", self._cli().apply(str(plan_file), lock=True, lock_timeout=self.lock_timeout))
        return Run(_summary(out), out)

    # ------------------------------------------------------------ plumbing

    def _cli(self) -> Any:
        if self._client is None:
            self._client = _client_class()(str(self.stack_dir), self.binary, self._run)
        return self._client

    def _run(self, argv: Sequence[str]) -> tuple[int, str, str]:
        refuse_unsafe(argv)
        log.info("%s (in %s)", " ".join(argv), self.label)
        try:
            done = run(argv, cwd=self.stack_dir, env=self._env, timeout=self.timeout, check=False)
        except ProcessFailed as exc:
            raise TerraformError(exc.message, hint=exc.hint) from None
        return done.returncode, done.stdout, done.stderr

    def _check(self, command: str, result: tuple[int, str, str]) -> str:
        code, stdout, stderr = result
        if code == 0:
            return stdout
        error = _error_text(stderr or stdout)
        if "Error acquiring the state lock" in stderr:
            lock = dict(_LOCK_FIELDS.findall(stderr))
            holder = ", ".join(f"{key.lower()} {value}" for key, value in lock.items()
                               if key in ("ID", "Who", "Created") and value)
            raise StateLocked(
                f"the Terraform state of {self.label} is locked{' (' + holder + ')' if holder else ''}; "
                f"waited {self.lock_timeout}",
                lock=lock,
                hint="Another run or a person holds it. Wait for it to finish; use `terraform force-unlock` only "
                     "when you are sure nothing is running.")
        raise TerraformError(f"{self.binary} {command} in {self.label} failed (exit {code}): {error}")


def refuse_unsafe(argv: Sequence[str]) -> None:
    """The last line of defence, on the final argument list."""
    if len(argv) < 2 or Path(argv[0]).name not in BINARIES or argv[1] not in _ALLOWED:
        raise UnsafeCommand(f"refusing to run {' '.join(argv[:2])!r}: not a command the responder uses")
    flags = [arg for arg in argv[2:] if arg.startswith("-")]
    positional = [arg for arg in argv[2:] if not arg.startswith("-")]
    if any(flag.split("=")[0] in ("-destroy", "-replace", "-target") for flag in flags):
        raise UnsafeCommand(f"refusing {argv[1]} with {', '.join(flags)}: destroy, replace and target are never "
                            "automatic")
    if argv[1] == "apply":
        auto = [flag for flag in flags if flag.split("=")[0] == "-auto-approve" and flag != "-auto-approve=false"]
        if auto or len(positional) != 1 or not Path(positional[0]).is_file():
            raise UnsafeCommand("refusing to apply without exactly one checked plan file (and no auto-approve)")


def _client_class() -> Callable[..., Any]:
    from python_terraform import Terraform as PythonTerraform

    class Client(PythonTerraform):
        def __init__(self, working_dir: str, binary: str, runner: Callable[..., tuple[int, str, str]]) -> None:
            self._runner = runner
            super().__init__(working_dir=working_dir, terraform_bin_path=binary)
            self.variables = None  # no temporary -var-file on every command

        def read_state_file(self, file_path: str | None = None) -> None:
            self.tfstate = None  # never read the state into memory

        def cmd(self, cmd: str, *args: Any, **kwargs: Any) -> tuple[int, str, str]:
            for own in ("capture_output", "raise_on_error", "synchronous"):
                kwargs.pop(own, None)
            argv = self.generate_cmd_string(cmd, *args, **kwargs)
            if self.temp_var_files.files:
                self.temp_var_files.clean_up()
                raise UnsafeCommand("python-terraform wanted a temporary variables file; refused")
            # Only the var files the caller named, exactly: never one python-terraform made up on its own.
            named = kwargs.get("var_file") or []
            given = [arg.split("=", 1)[1] for arg in argv if arg.split("=", 1)[0] == "-var-file"]
            if given != named or (named and cmd != "plan"):
                raise UnsafeCommand(f"refusing {cmd} with var files {given}: only a plan takes var files, and only "
                                    "the ones the responder named")
            return self._runner(argv)

    return Client


def _flag() -> Any:
    from python_terraform import IsFlagged

    return IsFlagged


def _summary(stdout: str) -> str:
    found = _SUMMARY.findall(stdout or "")
    return found[-1].strip() if found else ""


def _error_text(output: str) -> str:
    """terraform's first error block (`Error: summary` plus its detail), kept short."""
    lines = [line.strip(" │╷╵") for line in output.splitlines()]
    for index, line in enumerate(lines):
        if line.startswith("Error:"):
            block = [text for text in lines[index:index + 8] if text]
            return " ".join(block)[:600]
    tail = [line for line in lines if line.strip()]
    return " ".join(tail[-3:])[:600] or "no error output"


def _numbers(version: str) -> tuple[int, ...]:
    parts = re.findall(r"\d+", version)[:2]
    return tuple(int(part) for part in parts)
