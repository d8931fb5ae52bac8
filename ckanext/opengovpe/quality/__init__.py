"""Metadata quality of published datasets, after data.europa.eu's MQA methodology."""
