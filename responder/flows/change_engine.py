"""The guarded Terraform flow: the ChangeEngine that feature requests and remedies use.

prepare: bounds -> protected stack -> stack lock -> clean, current checkout
-> init -> plan the untouched stack (it must have nothing pending) -> edit
the vars file -> plan -out -> show -json -> verdict. Anything but "ready"
reverts the edit and releases the lock at once.

apply: the plan file's SHA-256 must still be the one the verdict was
computed on -> apply exactly that file -> commit the vars file
(`feat:`/`fix: ... (fixes #N)`) -> push. A failed apply is reported, never
retried, and the edit is reverted. The lock is held from prepare until
apply or discard, so nothing else can change the stack in between.

A dry run (`responder handle --dry-run`) writes nothing in the checkout and
takes no stack lock: it applies nothing, so there is nothing to guard. The
edited vars document goes to a private temporary file outside the
repository (mode 0600, removed after the plan), passed to `terraform plan`
as `-var-file`, followed by the stack's own `*.auto.tfvars(.json)` files
that terraform reads after the vars file, so every value wins exactly where
it would in the edited checkout and the plan, and so the verdict, is the
real run's. Terraform's state lock stays on (no `-lock=false`): it is held
only while the plan refreshes, a real run waits up to `lock_timeout` for
it, and a plan made without it could read a state another run is writing.
Whether git would see the edit is checked by hashing the edited document
as git would store it at the vars file's path (`git hash-object --path`),
which writes nothing. A dry run keeps no plan: it cannot be applied.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path, PurePath
from typing import Any

from responder.adapters.git import GitCheckout, GitError, GitRepo
from responder.adapters.locks import StackBusy, StackLock, UnsafeLockPath, default_lock_dir
from responder.adapters.secrets import github_token
from responder.adapters.terraform import StateLocked, Terraform, TerraformError, TerraformRunner
from responder.changes import limits, tfvars
from responder.changes.catalogue import CatalogueError, append_service
from responder.changes.guardrails import Verdict, evaluate, stack_verdict
from responder.changes.plan_document import SHORT_SENSITIVE_CHARS, PlanDocument, PlanError, parse_plan
from responder.changes.platform import edit_refusal
from responder.changes.repository_paths import RepositoryPath, locate
from responder.config import yaml_codec
from responder.config.guardrails import DEFAULT_LOCK_TIMEOUT, DEFAULT_TIMEOUT, GuardrailSettings, Policy
from responder.config.loader import Config, build_config, config_problems
from responder.forms.yaml_text import form_files
from responder.model.changes import ABSENT, CHANGE_KINDS, AppliedChange, ChangeRequest, FileEdit, PreparedChange
from responder.model.quantities import QuantityError, parse_cpu, parse_memory
from responder.render.quoting import commit_text
from responder.render.redaction import REDACTED, process_redactor, redact

log = logging.getLogger("responder.model.changes")

_DURATION = re.compile(r"(?:(?P<h>[0-9]+)h)?(?:(?P<m>[0-9]+)m)?(?:(?P<s>[0-9]+)s)?")
_AUTO_VARS = (".auto.tfvars", ".auto.tfvars.json")  # what terraform reads from a stack by itself, by name
_INVISIBLE_EDIT = ("git does not see edits to {vars_file} (it is marked assume-unchanged or skip-worktree, or a "
                   "filter hides the change): a change to it could never be committed, so none is made")
# Files terraform itself writes next to a stack; they never make a checkout "dirty".
_TERRAFORM_OWN = re.compile(r"(^|/)(\.terraform/|[^/]*\.tfstate(\.[^/]*)?$|[^/]*\.tfplan$|\.terraform\.lock\.hcl$|"
                            r"\.terraform\.tfstate\.lock\.info$)")


@dataclass(frozen=True)
class EngineSettings:
    """The non-policy part of the `guardrails` section: how terraform and git are run."""

    binary: str = "terraform"
    lock_timeout: str = DEFAULT_LOCK_TIMEOUT  # terraform's -lock-timeout, and the wait for the stack lock
    timeout: str = DEFAULT_TIMEOUT  # any one terraform command
    refuse_pending_changes: bool = True
    lock_dir: Path | None = None
    remote: str = "origin"
    branch: str | None = None  # default: the checked-out branch
    push: bool = True
    server_url: str = "https://github.com"

    @classmethod
    def from_config(cls, guardrails: GuardrailSettings, env: Mapping[str, str] | None = None) -> EngineSettings:
        return cls(
            binary=guardrails.binary,
            lock_timeout=guardrails.lock_timeout,
            timeout=guardrails.timeout,
            refuse_pending_changes=guardrails.refuse_pending_changes,
            lock_dir=guardrails.lock_dir,
            remote=guardrails.git.remote,
            branch=guardrails.git.branch,
            push=guardrails.git.push,
            server_url=(env or {}).get("GITHUB_SERVER_URL") or "https://github.com",
        )


def seconds(duration: str) -> float:
    """"90s", "5m", "1h30m" -> seconds (the format terraform's -lock-timeout takes)."""
    match = _DURATION.fullmatch(duration.strip())
    if not duration.strip() or match is None:
        raise ValueError(f"{duration!r} is not a duration such as 90s, 5m or 1h30m")
    return float(int(match["h"] or 0) * 3600 + int(match["m"] or 0) * 60 + int(match["s"] or 0))


@dataclass(frozen=True)
class PathRefusal:
    """Why a service's stack or vars file cannot be changed where it really leads."""

    blocked_by: str  # protected-stack | not-configured
    reason: str
    verdict: Verdict | None = None


def path_refusal(stack: RepositoryPath, vars_file: RepositoryPath, policy: Policy) -> PathRefusal | None:
    """Pure: refuse a stack or vars file that is protected or outside the repository, by its real path."""
    protected = stack_verdict(stack, policy)
    if protected is not None:
        return PathRefusal("protected-stack", protected.reasons[0], protected)
    holder = vars_file.parent
    pattern = policy.protected_stack(holder)
    if pattern is not None:
        return PathRefusal("protected-stack", f"the vars file {vars_file.shown} is inside a protected stack "
                           f"(guardrails.protected_stacks: {pattern}): changes there always need a person",
                           stack_verdict(holder, policy))
    for what, path in (("stack", stack), ("vars file", vars_file)):
        if not path.inside:
            return PathRefusal("not-configured", f"the {what} {path.lexical} leads outside the repository (to "
                               f"{path.real}): the responder changes only files it can commit")
    if holder.real != stack.real:
        return PathRefusal("not-configured", f"the vars file {vars_file.shown} is not in the stack directory "
                           f"{stack.shown}: terraform reads *.auto.tfvars.json only from there")
    return None


@dataclass(frozen=True)
class _FileWrite:
    path: Path  # the real file
    name: str  # relative to the repository: what git commits
    original: bytes
    edited: bytes


@dataclass
class _PendingFile:
    """Checked edits of files outside any stack (responder.yml, the issue forms), written and committed at apply."""

    lock: StackLock
    files: tuple[_FileWrite, ...]


@dataclass
class _Pending:
    """What a ready change holds until it is applied or discarded."""

    lock: StackLock
    terraform: TerraformRunner
    vars_path: Path  # the real file
    vars_name: str  # the same, relative to the repository: what git commits
    original: bytes
    edited: bytes
    plan_file: Path


class TerraformChangeEngine:
    def __init__(self, config: Config, *, env: Mapping[str, str] | None = None, dry_run: bool = False,
                 repo: GitCheckout | None = None) -> None:
        self.config = config
        self.env = dict(env if env is not None else os.environ)
        self.policy = config.guardrails.policy
        self.settings = EngineSettings.from_config(config.guardrails, self.env)
        self.dry_run = dry_run
        self.repo: GitCheckout = repo or GitRepo(config.root, push_token=lambda: github_token(config, self.env))
        self._workdir: Path | None = None
        self._pending: dict[str, _Pending] = {}
        self._versions_checked: set[str] = set()
        # Every value the plans so far marked sensitive, however short: the process redactor masks only
        # values of 8 characters or more (shorter ones would hide ordinary words in every comment), so
        # terraform's own output and errors are masked with these as well.
        self._sensitive: set[str] = set()
        # A new monitor, checked and written to responder.yml at apply (one per run: one issue per run).
        self._catalogue: _PendingFile | None = None

    # ------------------------------------------------------------ ChangeEngine

    def prepare(self, request: ChangeRequest, *, issue: int) -> PreparedChange:
        if request.edit is not None:  # a platform request: the file, path and value come with it
            return self._prepare_edit(request, request.edit, issue)
        service = self.config.service(request.service)
        target = service.terraform if service else None
        stack = target.stack if target else ""
        vars_file = f"{stack.rstrip('/')}/{target.vars_file}" if target and target.vars_file else None
        base = PreparedChange(request=request, stack=stack, outcome="blocked", reasons=(), vars_file=vars_file)
        check = limits.check_request(request, service)
        if not check.ok:
            return replace(base, reasons=check.reasons, blocked_by=check.problem)
        base = replace(base, after=check.shown)
        assert target is not None and vars_file is not None  # check_request refuses services without them
        # Every check below is made on the real paths: a symbolic link must not lead into a protected stack.
        stack_path, vars_path = locate(self.config.root, stack), locate(self.config.root, vars_file)
        base = replace(base, stack=stack_path.shown, vars_file=vars_path.relative or vars_file)
        refusal = path_refusal(stack_path, vars_path, self.policy)
        if refusal is not None:
            return replace(base, blocked_by=refusal.blocked_by, reasons=(refusal.reason,),
                           verdict=refusal.verdict.to_json() if refusal.verdict else {})
        namespaces = (service.kubernetes.namespace,) if service and service.kubernetes else ()
        why = self.policy.protected_service(request.service, namespaces)
        if why is not None:
            return replace(base, blocked_by="protected-stack", reasons=(
                f"service {request.service} is protected ({why}): changes to it always need a person",))
        if not stack_path.real.is_dir() or not vars_path.real.is_file():
            return replace(base, blocked_by="not-configured", reasons=(
                f"{vars_file} does not exist in {self.config.root}: check services[].terraform in responder.yml",))
        assert stack_path.relative is not None and vars_path.relative is not None  # path_refusal saw to that
        def prepare(lock: StackLock | None) -> tuple[PreparedChange, bool]:
            prepared, pending = self._prepare_locked(base, request, check.value, stack_path, vars_path, lock)
            return prepared, pending is not None

        return self._under_lock(base, stack_path.relative, issue, prepare)

    def _under_lock(self, base: PreparedChange, held: str, issue: int,
                    prepare: Callable[[StackLock | None], tuple[PreparedChange, bool]]) -> PreparedChange:
        """Prepare holding the lock of `held` (a stack, or the catalogue file); `prepare` says whether what it
        prepared keeps the lock until it is applied or discarded. A dry run takes no lock: nothing will be
        applied, so it plans while a real run holds the stack and never makes one wait (Terraform's own state
        lock still guards the state)."""
        if self.dry_run:
            return prepare(None)[0]
        lock = StackLock(self.settings.lock_dir or default_lock_dir(self.env),
                         self.config.repository or str(self.config.root.resolve()), held)
        try:
            lock.acquire(seconds(self.settings.lock_timeout), issue=issue)
        except StackBusy as exc:
            return replace(base, blocked_by="stack-busy", reasons=(exc.message,))
        except UnsafeLockPath as exc:
            return replace(base, blocked_by="lock-unsafe", reasons=(exc.message,))
        kept = False
        try:
            prepared, kept = prepare(lock)
            return prepared
        finally:
            if not kept:
                lock.release()

    def apply(self, prepared: PreparedChange, *, issue: int) -> AppliedChange:
        if self.dry_run:
            return AppliedChange(prepared, ok=False, error="a dry run applies nothing: nothing was applied")
        if prepared.request.edit is not None and prepared.request.edit.stack is None:
            return self._apply_catalogue(prepared, issue)
        pending = self._pending.pop(prepared.plan_file or "", None)
        if pending is None or prepared.outcome != "ready":
            return AppliedChange(prepared, ok=False, error="this change is not a prepared, checked plan (or it was "
                                 "already applied or discarded): nothing was applied")
        try:
            return self._apply_pending(prepared, pending, issue)
        finally:
            pending.plan_file.unlink(missing_ok=True)
            pending.lock.release()

    def discard(self, prepared: PreparedChange) -> None:
        if prepared.request.edit is not None and prepared.request.edit.stack is None:
            self._release_catalogue()
            return
        pending = self._pending.pop(prepared.plan_file or "", None)
        if pending is not None:
            self._revert(pending)
            pending.plan_file.unlink(missing_ok=True)
            pending.lock.release()

    def close(self) -> None:
        """Discard whatever was prepared and not applied; remove the plan files."""
        self._release_catalogue()
        for plan_file in list(self._pending):
            pending = self._pending.pop(plan_file)
            self._revert(pending)
            pending.lock.release()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def __enter__(self) -> TerraformChangeEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ prepare, under the stack lock (a dry run has none)

    def _prepare_locked(self, base: PreparedChange, request: ChangeRequest, value: Any, stack_path: RepositoryPath,
                        vars_location: RepositoryPath,
                        lock: StackLock | None) -> tuple[PreparedChange, _Pending | None]:
        """Check, plan and judge the change; the _Pending is returned only for a real run's ready change."""
        vars_path = vars_location.real
        vars_name = str(vars_location.relative)
        try:
            blocked_by, problem = self._uncommittable(vars_name) or (
                "checkout", self._checkout_problem(str(stack_path.relative), base.stack))
        except GitError as exc:
            blocked_by, problem = "checkout", f"git failed: {exc.message}"
        if problem:
            return replace(base, blocked_by=blocked_by, reasons=(problem,)), None
        try:
            original = vars_path.read_bytes()
            text = original.decode("utf-8")
            current = tfvars.load(text)
            before = tfvars.read_value(text, request.key)
        except (OSError, UnicodeDecodeError, tfvars.VarsFileError) as exc:
            return replace(base, blocked_by="not-configured", reasons=(f"{base.vars_file} {exc}",)), None
        before_text = _as_text(before)
        base = replace(base, before=before_text, summary=describe(request, before_text, base.after or ""))
        if request.replaces is not None and before_text != request.replaces:
            # A rollback undoes one value: if the file moved on since it was chosen, it is no longer that change.
            return replace(base, blocked_by="conflict", reasons=(
                f"{base.vars_file} sets {request.key} to {before_text}, not {request.replaces}: it changed since the "
                "remedy was chosen, so it is not rolled back",)), None
        conflicts = limits.check_against_current(request.kind, value, current)
        if conflicts:
            return replace(base, blocked_by="conflict", reasons=conflicts), None

        if _same_value(request.kind, before, value):
            document = None
        else:
            try:
                document = tfvars.set_value(text, request.key, _json_value(before, value)).encode("utf-8")
            except tfvars.VarsFileError as exc:
                return replace(base, blocked_by="not-configured", reasons=(f"{base.vars_file} {exc}",)), None
        return self._plan_edited(base, stack_path, vars_location, lock, original, document, (), no_op=(
            f"{base.vars_file} already sets {request.key} to {before_text}: nothing to change"))

    def _plan(self, terraform: TerraformRunner, plan_file: Path, stack: str,
              var_files: Iterable[Path] = (), may_create: tuple[str, ...] = ()) -> tuple[Verdict, str, str]:
        """Plan into the file, read it back, and judge it; the hash is of the exact bytes judged."""
        plan_file.unlink(missing_ok=True)
        run = terraform.plan(plan_file, tuple(var_files))
        before = _sha256(plan_file)
        document: PlanDocument = parse_plan(terraform.show_json(plan_file))
        if _sha256(plan_file) != before:
            raise PlanError(f"the plan file {plan_file.name} changed while it was being read")
        for secret in document.sensitive_values:
            process_redactor.add(secret)
        self._sensitive.update(secret for secret in document.sensitive_values if secret)
        self._log_output(run.output)
        return evaluate(document, self.policy, stack, may_create), before, run.summary

    def _give_up(self, base: PreparedChange, vars_path: Path, original: bytes, edited: bytes | None,
                 blocked_by: str, message: str) -> PreparedChange:
        if edited is not None:
            vars_path.write_bytes(original)
        return replace(base, blocked_by=blocked_by, reasons=(self._mask(process_redactor(message)),))

    def _uncommittable(self, vars_name: str) -> tuple[str, str] | None:
        """Why git would not commit an edit of the vars file (blocked_by, reason); checked before any plan."""
        if not self.repo.is_repository():
            return None  # _checkout_problem says so
        listed = self.repo.git("ls-files", "-v", "--error-unmatch", "--", vars_name, check=False)
        if listed.returncode != 0:
            return "not-configured", (f"{vars_name} is not tracked by git in {self.config.root} (it is new, ignored "
                                      "or outside the work tree): a change to it could never be committed, so none "
                                      "is made")
        tag = listed.stdout[:1]
        if tag == "S" or tag.islower():  # skip-worktree, or assume-unchanged: git status would not see the edit
            return "checkout", _INVISIBLE_EDIT.format(vars_file=vars_name)
        return None

    def _checkout_problem(self, stack: str, shown: str) -> str | None:
        if not self.repo.is_repository():
            return f"{self.config.root} is not a git checkout: every change is committed, so it must be one"
        dirty = [path for path in self.repo.changed([stack]) if not _TERRAFORM_OWN.search(path)]
        if dirty:
            listed = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
            return f"{shown} has uncommitted changes ({listed}): the plan would not match any commit"
        if self.dry_run or not self.settings.push:
            return None
        branch = self.settings.branch or self.repo.current_branch()
        self.repo.git("fetch", "--quiet", self.settings.remote, branch)
        behind = self.repo.git("merge-base", "--is-ancestor", "FETCH_HEAD", "HEAD", check=False)
        if behind.returncode != 0:
            return (f"the checkout is behind {self.settings.remote}/{branch}: re-run on a fresh checkout so the plan "
                    "includes every change already merged")
        return None

    def _git_would_see(self, vars_name: str, edited: Path) -> bool:
        """Whether git would see the vars file changed to the edited document, without writing it.

        The document is hashed as git would store it at the vars file's path (its clean filter and line-ending
        rules applied, nothing written), and compared with what the index holds for that path."""
        stored = self.repo.git("rev-parse", "--verify", "--quiet", f":{vars_name}", check=False).stdout.strip()
        hashed = self.repo.git("hash-object", f"--path={vars_name}", "--", str(edited)).stdout.strip()
        return not stored or hashed != stored

    def _check_version(self, terraform: TerraformRunner) -> None:
        if terraform.binary not in self._versions_checked:
            terraform.version()
            self._versions_checked.add(terraform.binary)

    def _private_dir(self) -> Path:
        if self._workdir is None:
            # Plan files and vars hold sensitive values: a private directory outside the repository.
            self._workdir = Path(tempfile.mkdtemp(prefix="responder-plans-"))
        return self._workdir

    def _new_plan_file(self, stack: str) -> Path:
        workdir = self._private_dir()
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", stack).strip("-") or "stack"
        return workdir / f"{slug}-{len(list(workdir.iterdir()))}.tfplan"

    @staticmethod
    def _var_files_for(copy: Path, stack_dir: Path, vars_location: RepositoryPath) -> list[Path]:
        """The -var-file arguments that plan the edited copy as if it were the vars file in the stack."""
        later = auto_vars_read_after(PurePath(vars_location.lexical).name,
                                     (entry.name for entry in stack_dir.iterdir()))
        # A later name that is a link to the vars file itself would read the edit too.
        return [copy, *(copy if (stack_dir / name).resolve() == vars_location.real else stack_dir / name
                        for name in later)]

    def _private_file(self, content: bytes, *, suffix: str) -> Path:
        """A new file only this user can read (mkstemp: mode 0600) in the private directory; the caller removes it."""
        descriptor, name = tempfile.mkstemp(prefix="responder-vars-", suffix=suffix, dir=self._private_dir())
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        return Path(name)

    # ------------------------------------------------------------ apply, under the stack lock

    def _apply_pending(self, prepared: PreparedChange, pending: _Pending, issue: int) -> AppliedChange:
        actual = _sha256(pending.plan_file) if pending.plan_file.is_file() else "missing"
        if actual != prepared.plan_sha256:
            self._revert(pending)
            return AppliedChange(prepared, ok=False, error=(
                f"the plan file changed after it was checked (sha256 {actual[:12]}…, checked "
                f"{(prepared.plan_sha256 or '')[:12]}…): nothing was applied"))
        if pending.vars_path.read_bytes() != pending.edited:
            self._revert(pending)
            return AppliedChange(prepared, ok=False, error=(
                f"{prepared.vars_file} changed after the plan was checked: nothing was applied"))
        # An apply that could not be recorded would leave the repository and the infrastructure apart.
        try:
            recordable = bool(self.repo.changed([pending.vars_name]))
        except GitError as exc:
            self._revert(pending)
            return AppliedChange(prepared, ok=False, error=f"git failed: {exc.message}: nothing was applied")
        if not recordable:
            self._revert(pending)
            return AppliedChange(prepared, ok=False, error=(
                f"git no longer sees the edit to {pending.vars_name}, so it could not be committed: nothing was "
                "applied"))
        try:
            run = pending.terraform.apply(pending.plan_file)
        except TerraformError as exc:
            self._revert(pending)
            return AppliedChange(prepared, ok=False, error=self._mask(process_redactor(exc.message)))
        self._log_output(run.output)
        message = commit_message(prepared, issue, self.config.repository, self.settings.server_url)
        try:
            sha = self.repo.commit(message, [pending.vars_name])
        except GitError as exc:
            return AppliedChange(prepared, ok=True, summary=run.summary,
                                 error=f"applied, but the commit failed: {exc.message}")
        if sha is None:
            return AppliedChange(prepared, ok=True, summary=run.summary,
                                 error="applied, but there was nothing to commit")
        url = (f"{self.settings.server_url}/{self.config.repository}/commit/{sha}"
               if self.config.repository else None)
        if not self.settings.push:
            return AppliedChange(prepared, ok=True, commit=sha, commit_url=url, summary=run.summary)
        try:
            self.repo.push(self.settings.remote, self.settings.branch)
        except GitError as exc:
            return AppliedChange(prepared, ok=True, commit=sha, commit_url=url, summary=run.summary,
                                 error=f"applied and committed as {sha[:12]}, but the push failed: {exc.message}")
        return AppliedChange(prepared, ok=True, commit=sha, commit_url=url, pushed=True, summary=run.summary)

    # ------------------------------------------------------------ a platform request: one path of one file

    def _prepare_edit(self, request: ChangeRequest, edit: FileEdit, issue: int) -> PreparedChange:
        """The same guarded path for an edit a platform request names: a vars file's path (planned, checked and
        applied like any change), or the catalogue in responder.yml (validated, then committed at apply)."""
        base = PreparedChange(request=request, stack=edit.stack or "", outcome="blocked", reasons=(),
                              vars_file=edit.file, summary=edit.summary, after=_json_text(edit.value))
        refusal = edit_refusal(edit, self.config)
        if refusal is not None:
            return replace(base, blocked_by="not-configured", reasons=(refusal,))
        file_path = locate(self.config.root, edit.file)
        stack_path = locate(self.config.root, edit.stack) if edit.stack is not None else None
        base = replace(base, vars_file=file_path.relative or edit.file,
                       stack=stack_path.shown if stack_path is not None else "")
        if stack_path is not None:
            blocked = path_refusal(stack_path, file_path, self.policy)
            if blocked is not None:
                return replace(base, blocked_by=blocked.blocked_by, reasons=(blocked.reason,),
                               verdict=blocked.verdict.to_json() if blocked.verdict else {})
        elif not file_path.inside:
            return replace(base, blocked_by="not-configured", reasons=(
                f"{edit.file} leads outside the repository (to {file_path.real}): it cannot be committed",))
        if not file_path.real.is_file() or (stack_path is not None and not stack_path.real.is_dir()):
            return replace(base, blocked_by="not-configured", reasons=(
                f"{edit.file} does not exist in {self.config.root}: check platform: in responder.yml",))
        held = stack_path if stack_path is not None else file_path
        assert held.relative is not None and file_path.relative is not None
        return self._under_lock(base, held.relative, issue, lambda lock: self._prepare_edit_locked(
            base, edit, stack_path, file_path, lock, issue))

    def _prepare_edit_locked(self, base: PreparedChange, edit: FileEdit, stack_path: RepositoryPath | None,
                             file_path: RepositoryPath, lock: StackLock | None,
                             issue: int) -> tuple[PreparedChange, bool]:
        """Check the checkout and the path, then plan (a stack) or validate (the catalogue); True: the lock is
        held by what was prepared, until it is applied or discarded."""
        name = str(file_path.relative)
        try:
            blocked_by, problem = self._uncommittable(name) or (
                "checkout", self._checkout_problem(str((stack_path or file_path).relative), base.stack or name))
        except GitError as exc:
            blocked_by, problem = "checkout", f"git failed: {exc.message}"
        if problem:
            return replace(base, blocked_by=blocked_by, reasons=(problem,)), False
        try:
            original = file_path.real.read_bytes()
            text = original.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            return replace(base, blocked_by="not-configured", reasons=(f"{name} cannot be read: {exc}",)), False
        if stack_path is None:
            return self._prepare_catalogue(base, edit, file_path, name, original, text, lock, issue)
        try:
            before = tfvars.read_path(text, edit.path, default=ABSENT)
            document = None if before == edit.value else tfvars.set_path(text, edit.path, edit.value).encode("utf-8")
        except tfvars.VarsFileError as exc:
            return replace(base, blocked_by="not-configured", reasons=(f"{name} {exc}",)), False
        base = replace(base, before=None if before is ABSENT else _json_text(before))
        if before != edit.expected:
            now = "holds nothing there now" if before is ABSENT else f"now holds {_json_text(before)[:200]}"
            return replace(base, blocked_by="conflict", reasons=(
                f"{name} changed since the request was assessed ({'.'.join(map(str, edit.path))} {now}): "
                "nothing was changed; re-run the request to assess it again",)), False
        prepared, pending = self._plan_edited(base, stack_path, file_path, lock, original, document, edit.may_create)
        return prepared, pending is not None

    def _plan_edited(self, base: PreparedChange, stack_path: RepositoryPath, vars_location: RepositoryPath,
                     lock: StackLock | None, original: bytes, document: bytes | None,
                     may_create: tuple[str, ...], no_op: str | None = None) -> tuple[PreparedChange, _Pending | None]:
        """Plan the untouched stack (nothing may be pending), then the edited document, and judge it; the
        _Pending is returned only for a real run's ready change. `document` None: there is nothing to edit."""
        stack_dir, vars_path, vars_name = stack_path.real, vars_location.real, str(vars_location.relative)
        terraform = Terraform(stack_dir, binary=self.settings.binary, lock_timeout=self.settings.lock_timeout,
                              timeout=seconds(self.settings.timeout), env=self.env, label=base.stack)
        plan_file = self._new_plan_file(base.stack)
        edited: bytes | None = None
        copy: Path | None = None
        try:
            self._check_version(terraform)
            terraform.init()
            if self.settings.refuse_pending_changes:
                pending_verdict = self._plan(terraform, plan_file, base.stack)[0]
                if pending_verdict.changes:
                    return replace(base, blocked_by="pending-changes", verdict=pending_verdict.to_json(), reasons=(
                        f"stack {base.stack} already had changes waiting to be applied before this request "
                        f"({_counts_text(pending_verdict)}): the responder applies only its own change",)), None
            if document is None:
                return replace(base, outcome="no-op", reasons=(
                    no_op or f"{base.vars_file} already holds this: nothing to change",)), None
            if self.dry_run:
                copy = self._private_file(document, suffix=".tfvars.json")
                if not self._git_would_see(vars_name, copy):
                    return self._give_up(base, vars_path, original, edited, "checkout", _INVISIBLE_EDIT.format(
                        vars_file=vars_name)), None
                verdict, sha256, summary = self._plan(terraform, plan_file, base.stack,
                                                      self._var_files_for(copy, stack_dir, vars_location), may_create)
            else:
                edited = document
                vars_path.write_bytes(edited)
                if not self.repo.changed([vars_name]):
                    return self._give_up(base, vars_path, original, edited, "checkout", _INVISIBLE_EDIT.format(
                        vars_file=vars_name)), None
                verdict, sha256, summary = self._plan(terraform, plan_file, base.stack, may_create=may_create)
        except StateLocked as exc:
            return self._give_up(base, vars_path, original, edited, "state-locked", exc.message), None
        except TerraformError as exc:
            return self._give_up(base, vars_path, original, edited, "terraform-error", exc.message), None
        except PlanError as exc:
            return self._give_up(base, vars_path, original, edited, "bad-plan", exc.message), None
        except GitError as exc:
            return self._give_up(base, vars_path, original, edited, "checkout", f"git failed: {exc.message}"), None
        except BaseException:
            if edited is not None:
                vars_path.write_bytes(original)
            raise
        finally:
            if copy is not None:
                copy.unlink(missing_ok=True)
        prepared = replace(base, outcome=verdict.outcome, reasons=verdict.reasons, plan_sha256=sha256,
                           verdict=verdict.to_json(), plan_summary=summary,
                           blocked_by="" if verdict.outcome != "blocked" else "guardrails")
        if verdict.outcome != "ready" or lock is None or edited is None:  # blocked, a no-op, or a dry run
            if edited is not None:
                vars_path.write_bytes(original)
            plan_file.unlink(missing_ok=True)
            return replace(prepared, plan_file=None), None
        pending = _Pending(lock, terraform, vars_path, vars_name, original, edited, plan_file)
        self._pending[str(plan_file)] = pending
        return replace(prepared, plan_file=str(plan_file)), pending

    def _prepare_catalogue(self, base: PreparedChange, edit: FileEdit, file_path: RepositoryPath, name: str,
                           original: bytes, text: str, lock: StackLock | None,
                           issue: int) -> tuple[PreparedChange, bool]:
        """A new service in responder.yml: appended in the file's own style, loaded and validated like any
        responder.yml, and refused if anything else would change or any problem is found. No Terraform."""
        try:
            raw = yaml_codec.load(text, yaml_codec.UniqueKeySafeLoader)
            services = raw.get("services") if isinstance(raw, dict) else None
            if not isinstance(services, list):
                raise CatalogueError("has no services list")
            if len(edit.path) != 2 or edit.path[1] != len(services):
                return replace(base, blocked_by="conflict", reasons=(
                    f"{name} changed since the request was assessed (it lists {len(services)} services now): nothing "
                    "was changed; re-run the request to assess it again",)), False
            edited_text = append_service(text, edit.value, comment=f"Monitor requested in #{issue}.")
            edited = yaml_codec.load(edited_text, yaml_codec.UniqueKeySafeLoader)
        except (CatalogueError, yaml_codec.YAMLError) as exc:
            return replace(base, blocked_by="not-configured", reasons=(f"{name} {exc}",)), False
        expected = {**raw, "services": [*services, dict(edit.value)]}
        if edited != expected:
            return replace(base, blocked_by="not-configured", reasons=(
                f"{name}: the service could not be added without changing something else",)), False
        problems = [f"{where}: {message}" for where, message in config_problems(edited, self.config.path)]
        if problems:
            return replace(base, blocked_by="invalid", reasons=(
                f"{name} would not validate with the new service: " + "; ".join(problems[:5]),)), False
        forms = self._regenerated_forms(edited)
        reasons = [f"{name} loads and validates with the new service, and nothing else in it changes"]
        if forms:
            reasons.append("the issue forms offer it too: " + ", ".join(form.name for form in forms))
        prepared = replace(base, outcome="ready", reasons=tuple(reasons))
        if lock is None:  # a dry run: nothing is held, nothing will be written
            return prepared, False
        self._release_catalogue()
        self._catalogue = _PendingFile(lock, (_FileWrite(file_path.real, name, original, edited_text.encode("utf-8")),
                                              *forms))
        return prepared, True

    def _regenerated_forms(self, edited: Mapping[str, Any]) -> tuple[_FileWrite, ...]:
        """The issue forms in .github/ISSUE_TEMPLATE/ that `responder templates` wrote from the catalogue as it
        was, written again from the catalogue with the new service (its outage form's dropdown offers it). A
        form edited by hand, or already stale, is left as it is."""
        directory = self.config.root / ".github" / "ISSUE_TEMPLATE"
        if not directory.is_dir():
            return ()
        before, after = form_files(self.config), form_files(build_config(edited, self.config.path))
        writes = []
        for file_name, text in after.items():
            path = directory / file_name
            if text == before.get(file_name) or not path.is_file():
                continue
            current = path.read_bytes()
            if current != before.get(file_name, "").encode("utf-8"):
                continue
            writes.append(_FileWrite(path, f".github/ISSUE_TEMPLATE/{file_name}", current, text.encode("utf-8")))
        return tuple(writes)

    def _apply_catalogue(self, prepared: PreparedChange, issue: int) -> AppliedChange:
        pending, self._catalogue = self._catalogue, None
        if pending is None or prepared.outcome != "ready":
            return AppliedChange(prepared, ok=False, error="this change is not a prepared, checked edit (or it was "
                                 "already applied or discarded): nothing was changed")
        files = pending.files
        try:
            moved = [write.name for write in files if write.path.read_bytes() != write.original]
            if moved:
                return AppliedChange(prepared, ok=False, error=(
                    f"{', '.join(moved)} changed after it was checked: nothing was changed"))
            for write in files:
                write.path.write_bytes(write.edited)
            message = catalogue_commit_message(prepared, issue, self.config.repository, self.settings.server_url,
                                               forms=[PurePath(write.name).name for write in files[1:]])
            try:
                sha = self.repo.commit(message, [write.name for write in files])
            except GitError as exc:
                for write in files:
                    write.path.write_bytes(write.original)
                return AppliedChange(prepared, ok=False, error=f"the commit failed, so nothing was changed: "
                                                               f"{exc.message}")
            if sha is None:
                for write in files:
                    write.path.write_bytes(write.original)
                return AppliedChange(prepared, ok=False, error="git saw no change to commit: nothing was changed")
            url = (f"{self.settings.server_url}/{self.config.repository}/commit/{sha}"
                   if self.config.repository else None)
            if not self.settings.push:
                return AppliedChange(prepared, ok=True, commit=sha, commit_url=url)
            try:
                self.repo.push(self.settings.remote, self.settings.branch)
            except GitError as exc:
                return AppliedChange(prepared, ok=True, commit=sha, commit_url=url,
                                     error=f"committed as {sha[:12]}, but the push failed: {exc.message}")
            return AppliedChange(prepared, ok=True, commit=sha, commit_url=url, pushed=True)
        finally:
            pending.lock.release()

    def _release_catalogue(self) -> None:
        if self._catalogue is not None:
            self._catalogue.lock.release()
            self._catalogue = None

    def _revert(self, pending: _Pending) -> None:
        pending.vars_path.write_bytes(pending.original)

    def _mask(self, text: str) -> str:
        return redact(text, self._sensitive) if self._sensitive else text

    def _log_output(self, output: str) -> None:
        short = any(len(secret) < SHORT_SENSITIVE_CHARS for secret in self._sensitive)
        if short and output.strip():
            log.info("  (values were masked: terraform's output below has every occurrence of a sensitive value, "
                     "however short, replaced by %s, so some ordinary text may read %s too)", REDACTED, REDACTED)
        for line in output.splitlines():
            if line.strip():
                log.info("  %s", self._mask(line.rstrip()))


# ---------------------------------------------------------------- pure helpers


def auto_vars_read_after(vars_name: str, names: Iterable[str]) -> list[str]:
    """The stack's own vars files terraform reads after `vars_name`, in its order.

    terraform reads terraform.tfvars(.json), then every *.auto.tfvars(.json) by name, and only then the
    -var-file arguments: a value in a file it reads later wins. A dry run passes its edited copy as a
    -var-file, so these files are passed again after it to keep winning where they would over the edit."""
    return sorted(name for name in names if name.endswith(_AUTO_VARS) and name > vars_name)


def describe(request: ChangeRequest, before: str | None, after: str) -> str:
    """What the change does, in words: "raise nextcloud replicas from 2 to 3"."""
    if request.rollback and before is not None:
        return f"roll back {request.service} from {before} to {after}"
    words = next((kind.option.lower() for kind in CHANGE_KINDS if kind.key == request.kind), request.kind)
    if request.kind == "replicas":
        words = "replicas"
    verb = "set"
    order = _order(request.kind, before, after)
    if order is not None:
        verb = "raise" if order > 0 else "lower"
    elif request.kind == "image_tag" and before is not None:
        verb = "update"
    since = f" from {before}" if before is not None and before != after else ""
    return f"{verb} {request.service} {words}{since} to {after}"


def commit_message(prepared: PreparedChange, issue: int, repository: str | None,
                   server_url: str = "https://github.com") -> str:
    what = [f"Applied the checked plan sha256:{prepared.plan_sha256} to {prepared.stack}."]
    if prepared.plan_summary:
        what.append(prepared.plan_summary)
    return _message(prepared, issue, repository, server_url, what)


def _message(prepared: PreparedChange, issue: int, repository: str | None, server_url: str,
             what: list[str]) -> str:
    """A change's commit message: its subject, what was done, the reason given and the issue."""
    lines = [f"{prepared.request.commit_type}: {prepared.summary} (fixes #{issue})", "", *what]
    reason = commit_text(prepared.request.reason)
    if reason:
        lines += ["", f"Reason: {reason}"]
    if repository:
        lines += ["", f"Issue: {server_url}/{repository}/issues/{issue}"]
    return "\n".join(lines)


def _quantity(kind: str, value: Any) -> Fraction | None:
    """A replicas, memory (bytes) or CPU (cores) value as a number to compare; None for any other kind."""
    if kind == "replicas":
        return Fraction(int(value))
    if kind.startswith("memory"):
        return parse_memory(value).value
    if kind.startswith("cpu"):
        return parse_cpu(value).value
    return None


def _order(kind: str, before: str | None, after: str) -> int | None:
    if before is None:
        return None
    try:
        old, new = _quantity(kind, before), _quantity(kind, after)
    except (ValueError, QuantityError):
        return None
    if old is None or new is None:
        return None
    return (new > old) - (new < old)


def _same_value(kind: str, before: Any, value: Any) -> bool:
    try:
        old, new = _quantity(kind, before), _quantity(kind, value)
    except (ValueError, TypeError, QuantityError):
        return False
    if old is None or new is None:
        return _as_text(before) == _as_text(value)
    return old == new


def _json_value(before: Any, value: Any) -> Any:
    """Keep the file's own type: a number stays a number where the new value is one."""
    if isinstance(before, int) and not isinstance(before, bool) and isinstance(value, int):
        return value
    return str(value)


def catalogue_commit_message(prepared: PreparedChange, issue: int, repository: str | None,
                              server_url: str = "https://github.com", forms: Iterable[str] = ()) -> str:
    what = [f"Added to the service catalogue in {prepared.vars_file}, which still loads and validates; no Terraform."]
    regenerated = ", ".join(forms)
    if regenerated:
        what.append(f"The issue forms generated from it follow: {regenerated}.")
    return _message(prepared, issue, repository, server_url, what)


def _json_text(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    return str(value)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _counts_text(verdict: Verdict) -> str:
    parts = [f"{verdict.counts[key]} to {word}" for key, word in
             (("create", "add"), ("update", "change"), ("replace", "replace"), ("delete", "destroy"))
             if verdict.counts.get(key)]
    return ", ".join(parts) or "changes"


