from django.apps import AppConfig

from safeguard.navigation import NavItem


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "Contacts directory"
    navigation = (NavItem("Contacts", "contacts:directory", order=500),)
