"""Operations: logging, metrics, health, retry helpers."""
