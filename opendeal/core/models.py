"""People who sign in, and the append-only audit trail."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from .roles import STAFF_ROLES, Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone with an account: residents, community groups, and council and NHS staff.

    What someone may do comes from their roles (Django groups, see `roles.py`).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    # Django admin access; separate from OpenDeal's roles.
    is_staff = models.BooleanField(default=False)
    # Accounts the demo creates for fictional people: never real residents.
    is_demo = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def role_names(self) -> set[str]:
        if not hasattr(self, "_role_names"):
            self._role_names = set(self.groups.values_list("name", flat=True))
        return self._role_names

    def has_role(self, role: Role) -> bool:
        return self.is_superuser or role.label in self.role_names

    @property
    def needs_two_factor(self) -> bool:
        """Staff roles sign in with a password and a code from an authenticator app."""
        return (
            self.is_superuser
            or self.is_staff
            or bool(self.role_names & {role.label for role in STAFF_ROLES})
        )


class AuditEventQuerySet(models.QuerySet):
    """Refuses bulk updates and deletes, so the trail stays append-only through the ORM too."""

    def update(self, **kwargs):
        raise ValueError("Audit events are append-only.")

    def delete(self):
        raise ValueError("Audit events are append-only.")

    def bulk_update(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One thing someone did or saw that must be accountable. Rows are never updated or deleted:
    `save()` of an existing row, `delete()`, and the queryset's `update()`, `bulk_update()` and
    `delete()` all raise."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["object_type", "object_id", "occurred_at"])]

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"
        )

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")


class ImportRun(models.Model):
    """One run of an importer (a command, a task or an upload): whether it worked, and if not
    why. Failed runs are counted on /metrics; the source is a file name or URL, never content."""

    importer = models.CharField(max_length=60, db_index=True)
    source = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    succeeded = models.BooleanField(null=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["importer", "succeeded"])]

    def __str__(self) -> str:
        outcome = {True: "succeeded", False: "failed", None: "running"}[self.succeeded]
        return f"{self.importer} {outcome} at {self.started_at:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """The last time each `opendeal worker` said it was alive. A task left running by a worker
    that has stopped beating (killed, or its machine lost) goes back on the queue."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.host} at {self.seen_at:%H:%M:%S}"


class ScheduledRun(models.Model):
    """One due run of a scheduled task (`opendeal.core.schedule`): the task `name` for the
    period starting at `slot`. Every worker's scheduler tries to insert the row when the run
    falls due; the unique constraint lets one insert win, and only that worker enqueues the
    task, in the same transaction. So however many workers run, each run is queued once."""

    name = models.CharField(max_length=100)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField(default=timezone.now)
    # The id of the queued task (django-tasks' result id), to follow it up in the queue.
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-slot", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="core_scheduled_run_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} for {self.slot:%Y-%m-%d %H:%M}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "In progress"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"


JOB_FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED)


class Job(models.Model):
    """A long piece of work someone started from the web (a CSV import, say), run by a
    background task (`opendeal.core.jobs`). Its status page, /account/jobs/<public_id>/, shows
    the person who started it how far it has got, and then its result or what went wrong."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # What kind of work, e.g. "deal.progress_import"; each kind has its own task.
    kind = models.CharField(max_length=60)
    # What the status page calls it, e.g. "Import progress from march.csv".
    title = models.CharField(max_length=200)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    # What the task needs to do the work (JSON: ids and the name of a stored file).
    parameters = models.JSONField(default=dict, blank=True)
    # On success, what was done; on failure, a sentence, with each problem in `errors`.
    summary = models.TextField(blank=True)
    errors = models.JSONField(default=list, blank=True)
    # Where the status page leads once the job has finished, e.g. back to the upload form.
    next_url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in JOB_FINISHED
