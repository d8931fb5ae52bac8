"""The open-data programme computed from its records: plan progress, the four
PE0087 milestones of an entity and the national scoreboard."""
