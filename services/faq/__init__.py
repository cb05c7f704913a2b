"""FAQ: a bilingual knowledge base (seed.toml), its free-text search (search.py) and the bot service (service.py)."""
from services.faq.search import MIN_SCORE, FaqDoc, FaqHit, FaqIndex, load_seed, seed_docs

__all__ = ["MIN_SCORE", "FaqDoc", "FaqHit", "FaqIndex", "load_seed", "seed_docs"]
