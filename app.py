"""`python app.py`: serve moodreel (page at /, API at /api, docs at /docs).

Settings come from MOODREEL_* environment variables or .env; see README.
"""

from moodreel.server import run_server
from moodreel.settings import Settings

if __name__ == "__main__":
    run_server(Settings(), ingest_if_empty=True)
