"""News sources. Only the file replay lives here so far (RSS and Reddit come as extras).

Every source yields :class:`tradebot.domain.Article` in ``published_at`` order.
"""

from tradebot.adapters.news.file_replay import FileReplaySource, content_hash

__all__ = ["FileReplaySource", "content_hash"]
