"""``python -m tests.slow_server PORT DATA_DIR``: the real server (``moodreel.server.serve``) over
fakes, whose mood parser takes minutes for the mood "slow": for tests of how the server stops.
It writes its private upload folder's path to DATA_DIR/uploads.txt."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from moodreel.application import Moodreel
from moodreel.mood.base import MoodParse
from moodreel.records import Title
from moodreel.search.recommender import Recommender
from moodreel.server import create_api, private_uploads, serve
from moodreel.services import build_services
from moodreel.settings import Settings
from tests.fakes import DictStore, FixedMoodParser, HashEmbedder, QueueChatModel, index_titles

CATALOG = [
    (Title(id="h1", title="Night Terror", type="MOVIE", genres=("horror",)), ["dread", "fear"]),
    (Title(id="c1", title="Big Laughs", type="MOVIE", genres=("comedy",)), ["joy", "amusement"]),
]


class SlowParser(FixedMoodParser):
    """Takes ``seconds`` on the mood "slow" (a stand-in for a request that keeps a core busy)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(["dread"])
        self.seconds = seconds

    def parse(self, text: str) -> MoodParse:
        if text.strip() == "slow":
            time.sleep(self.seconds)
        return super().parse(text)


def main(port: int, data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, port=port)
    embedder, store = HashEmbedder(), DictStore()
    index_titles(store, embedder, CATALOG)
    services = build_services(settings, embedder=embedder, store=store, chat_model=QueueChatModel())
    app = Moodreel(services, Recommender.from_services(services, SlowParser(600)))
    with private_uploads() as uploads:
        (data_dir / "uploads.txt").write_text(str(uploads))  # for the test to check it is gone
        serve(create_api(app, settings), settings)


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
