"""What a package database says: packages, the files each owns, and what could not be read."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Manager(enum.Enum):
    """The package manager whose database listed a package."""

    DPKG = "dpkg"
    APK = "apk"
    RPM = "rpm"
    PYTHON = "python"
    NPM = "npm"


@dataclass(frozen=True, slots=True)
class Package:
    """One installed package, as its database records it."""

    manager: Manager
    name: str
    version: str
    files: tuple[str, ...] = ()
    """Normalised relative paths as the database lists them (directories included for dpkg;
    not yet resolved through symbolic links). Empty for npm, which owns its directory."""
    database: str = ""
    """The database file that listed it (normalised relative path)."""
    location: str = ""
    """Where an ecosystem package lives: its ``site-packages`` directory (Python) or its own
    directory (npm); ``""`` for system packages."""
    dev: bool = False
    """An npm development dependency (``devDependencies``, directly or only through them)."""
    section: str = ""
    """dpkg's section, rpm's group, apk's origin: a hint for grouping."""
    source: str = ""
    """The source package, where the database names one."""
    declared_size: int | None = None
    """The installed size the database claims, in bytes, where it records one."""

    @property
    def key(self) -> tuple[Manager, str, str]:
        """What tells two packages apart across layers: manager, location and name."""
        return (self.manager, self.location, self.name)


@dataclass(frozen=True, slots=True)
class DatabaseNote:
    """Something about a package database that a reader should know (unsupported, corrupt)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"/{self.path}: {self.message}"


@dataclass(frozen=True, slots=True)
class Inventory:
    """Every package found in one set of database files, and the notes about them."""

    packages: tuple[Package, ...]
    notes: tuple[DatabaseNote, ...] = ()
