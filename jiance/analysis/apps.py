from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "jiance.analysis"
    label = "analysis"
    verbose_name = "数据处理与分析"
