"""A caseload search kept out of addresses: the words searched for (names, NHS numbers,
postcodes) are posted, kept in the signed-in user's session under a short random token, and the
results page is addressed by the token alone, so no term reaches a URL, a browser's history, a
server's access log or a Referer header. The terms are never logged or audited either (only
whether there was a search). A session keeps its latest `KEPT` searches."""

import secrets

SESSION_KEY = "care_caseload_searches"
KEPT = 5
MAX_LENGTH = 100


def remember(session, terms: str) -> str:
    """Keep `terms` in the session and give the token that finds them again."""
    searches = dict(session.get(SESSION_KEY, {}))
    token = secrets.token_urlsafe(6)
    searches[token] = terms.strip()[:MAX_LENGTH]
    session[SESSION_KEY] = dict(list(searches.items())[-KEPT:])
    return token


def recall(session, token: str) -> str | None:
    """The terms kept under `token`, or None when this session has no such search."""
    if not token:
        return None
    return session.get(SESSION_KEY, {}).get(token)
