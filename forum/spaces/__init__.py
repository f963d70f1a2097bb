"""The five kinds of space, their posts, facilitation and moderation."""
