"""moodreel: type how you feel, get films and shows that give off the same vibes.

The package is the shared core of the ingest pipeline (`python -m ingest`), the web
app (`python app.py`), the CLI (`moodreel`) and the notebook.
"""

import os

# Milvus Lite's gRPC client logs every keep-alive renegotiation to stderr; keep consoles readable.
os.environ.setdefault("GRPC_VERBOSITY", "NONE")

__version__ = "0.1.0"
