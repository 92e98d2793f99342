"""Domain services, each registered with pyramid_services."""


def includeme(config):
    config.include(".passwords")
    config.include(".auth")
    config.include(".audit")
    config.include(".xlsx")
    config.include(".workflow")
    config.include(".notices")
    config.include(".notifier")
    config.include(".attachments")
