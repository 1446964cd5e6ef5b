"""Shared pydantic base for every configuration model: frozen, unknown keys rejected."""

from pydantic import BaseModel, ConfigDict


class Settings(BaseModel):
    """Base of all config models: immutable, and a misspelled key is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")
