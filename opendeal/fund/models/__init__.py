"""The fund's models, one module per part so that each can change on its own; refer across
modules with lazy strings ("fund.Application")."""

from .applications import *  # noqa: F403
from .assessment import *  # noqa: F403
from .awards import *  # noqa: F403
from .published import *  # noqa: F403
from .setup import *  # noqa: F403
