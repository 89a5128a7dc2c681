"""The feed's rules, free of I/O: posts, likes, announcements, live sessions, who may act,
and how membership and moderation events change what feed knows about people."""
