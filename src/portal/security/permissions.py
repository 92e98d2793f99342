"""Every permission a view may ask for, named ``<area>:<action>``."""
import enum


class Permission(enum.StrEnum):
    # Pages anyone may open: login, language choice, error pages.
    Public = "public"
    # The logged-in user's own account.
    AccountView = "account:view"
    AccountEdit = "account:edit"
    # The list of parties a user may see (own parties, or a staff directory).
    PartiesList = "parties:list"
    # One party's home and everything a customer reads on it.
    PartyView = "party:view"
    # Customer requests.
    RequestsView = "requests:view"
    RequestsCreate = "requests:create"
    RequestsHandle = "requests:handle"
    RequestsConfirm = "requests:confirm"
    # Change requests of a party's master data.
    ChangesView = "changes:view"
    ChangesCreate = "changes:create"
    ChangesEdit = "changes:edit"
    ChangesDecide = "changes:decide"
    # Service tickets.
    TicketsView = "tickets:view"
    TicketsCreate = "tickets:create"
    TicketsHandle = "tickets:handle"
    TicketsConfirm = "tickets:confirm"
    # Messages between staff and a party.
    MessagesView = "messages:view"
    MessagesSend = "messages:send"
    # /messages/: the threads of every party the user may see.
    MessagesInbox = "messages:inbox"
    # The document library: a party's documents, and publishing them (staff).
    DocumentsView = "documents:view"
    DocumentsPublish = "documents:publish"
    # Finance (the finance vertical): invoices, payments, the settlement statement, balances.
    InvoicesView = "invoices:view"
    PaymentsView = "payments:view"
    StatementView = "statement:view"
    BalancesView = "balances:view"
    # A party's advance schedules: the advance payments planned per contract, and their PDFs.
    AdvancesView = "advances:view"
    # The price lists a party is shown (current and archived ones).
    PriceListsView = "price_lists:view"
    # A customer asks for an invoice of an amount they choose (a top-up request).
    InvoicesTopUp = "invoices:top_up"
    # Utility (the utility vertical): supply points and their meters, meter readings; staff set which
    # supply points take self-readings, decide readings, and work the review queue (/readings/).
    SupplyPointsView = "supply_points:view"
    SupplyPointsManage = "supply_points:manage"
    ReadingsView = "readings:view"
    ReadingsSubmit = "readings:submit"
    ReadingsDecide = "readings:decide"
    ReadingsReview = "readings:review"
    # Self-registrations and requests to act for a company (/backoffice/registrations/): reading them,
    # binding the person to a party or rejecting with a reason, and accounts made by post.
    RegistrationsView = "registrations:view"
    RegistrationsDecide = "registrations:decide"
    # Staff work areas.
    QueueView = "queue:view"
    DashboardView = "dashboard:view"
    # Administration. Users: customers' users and their parties (admins and the back office; staff users
    # are the admins' only, as is giving staff roles: AdminRoles); parties and their contracts.
    AdminUsers = "admin:users"
    AdminRoles = "admin:roles"
    AdminParties = "admin:parties"
    AdminAudit = "admin:audit"
    AdminWorkflows = "admin:workflows"
    AdminOutbox = "admin:outbox"
    # The notification channel each staff role gets per kind until its holders choose (/admin/notifications/).
    AdminNotifications = "admin:notifications"
    AdminIntegration = "admin:integration"
    # The integration API (/api/v1/): granted to API keys' principals by the API's ACL only.
    ApiRead = "api:read"
    ApiWrite = "api:write"
