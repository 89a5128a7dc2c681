"""Engagement: the agent that turns the three event topics into the insights tables and the
MongoDB serving view."""
