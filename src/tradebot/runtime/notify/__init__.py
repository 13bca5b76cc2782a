"""Notifications for paper and live runs: what to say (:mod:`.messages`), when
(:mod:`.watcher`), to whom (:mod:`.channels`), and the composition root's hooks
(:mod:`.attach`). Delivery itself (queue, rate limits, retries, records) is
``tradebot.ops.notify``'s."""
