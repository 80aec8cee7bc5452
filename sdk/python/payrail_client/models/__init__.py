"""Contains all the data models used in inputs/outputs"""

from .api_key_info import ApiKeyInfo
from .attempt import Attempt
from .bank_account_in import BankAccountIn
from .beneficiary import Beneficiary
from .beneficiary_type import BeneficiaryType
from .beneficiary_verification import BeneficiaryVerification
from .beneficiary_verification_status import BeneficiaryVerificationStatus
from .callback_ack import CallbackAck
from .callback_ack_outcome import CallbackAckOutcome
from .check import Check
from .decision_in import DecisionIn
from .delivery import Delivery
from .delivery_attempt import DeliveryAttempt
from .delivery_attempt_outcome import DeliveryAttemptOutcome
from .delivery_attempt_page import DeliveryAttemptPage
from .delivery_status import DeliveryStatus
from .detailed_health import DetailedHealth
from .detailed_health_checks import DetailedHealthChecks
from .detailed_health_providers import DetailedHealthProviders
from .detailed_health_status import DetailedHealthStatus
from .directory_entry import DirectoryEntry
from .directory_entry_kind import DirectoryEntryKind
from .directory_entry_rail import DirectoryEntryRail
from .directory_page import DirectoryPage
from .error_body import ErrorBody
from .error_detail import ErrorDetail
from .error_detail_provider_type_0 import ErrorDetailProviderType0
from .event import Event
from .event_data import EventData
from .event_data_object import EventDataObject
from .event_page import EventPage
from .event_with_deliveries import EventWithDeliveries
from .failover import Failover
from .float_balance import FloatBalance
from .float_top_up import FloatTopUp
from .float_top_up_in import FloatTopUpIn
from .float_top_up_in_provider import FloatTopUpInProvider
from .fulfil_in import FulfilIn
from .fulfilment import Fulfilment
from .fulfilment_payout_status import FulfilmentPayoutStatus
from .fulfilment_status import FulfilmentStatus
from .health import Health
from .health_status import HealthStatus
from .holds import Holds
from .late_fulfilment import LateFulfilment
from .ledger_audit import LedgerAudit
from .ledger_audit_total_by_currency import LedgerAuditTotalByCurrency
from .list_all_payments_status_type_0 import ListAllPaymentsStatusType0
from .list_all_payouts_status_type_0 import ListAllPayoutsStatusType0
from .list_balance_history_account import ListBalanceHistoryAccount
from .list_directory_kind_type_0 import ListDirectoryKindType0
from .list_payments_network_type_0 import ListPaymentsNetworkType0
from .list_payments_provider_type_0 import ListPaymentsProviderType0
from .list_payments_status_type_0 import ListPaymentsStatusType0
from .list_payouts_status_type_0 import ListPayoutsStatusType0
from .list_reconciliation_exceptions_class_type_0 import (
    ListReconciliationExceptionsClassType0,
)
from .list_reconciliation_exceptions_status_type_0 import (
    ListReconciliationExceptionsStatusType0,
)
from .list_reservations_status_type_0 import ListReservationsStatusType0
from .merchant import Merchant
from .merchant_balance import MerchantBalance
from .merchant_balance_floats_type_0 import MerchantBalanceFloatsType0
from .merchant_in import MerchantIn
from .merchant_status import MerchantStatus
from .merchant_with_key import MerchantWithKey
from .mobile_wallet_in import MobileWalletIn
from .order import Order
from .order_failure_kind_type_0 import OrderFailureKindType0
from .order_fulfil_in import OrderFulfilIn
from .order_in import OrderIn
from .order_status import OrderStatus
from .payment import Payment
from .payment_attempt import PaymentAttempt
from .payment_in import PaymentIn
from .payment_in_metadata_type_0 import PaymentInMetadataType0
from .payment_metadata_type_0 import PaymentMetadataType0
from .payment_page import PaymentPage
from .payment_status import PaymentStatus
from .payout import Payout
from .payout_in import PayoutIn
from .payout_page import PayoutPage
from .payout_settings_in import PayoutSettingsIn
from .payout_status import PayoutStatus
from .posting import Posting
from .posting_page import PostingPage
from .product import Product
from .product_in import ProductIn
from .provider_answer import ProviderAnswer
from .queue import Queue
from .queue_depth import QueueDepth
from .queue_list import QueueList
from .recipient import Recipient
from .recipient_in import RecipientIn
from .recipient_in_network_type_0 import RecipientInNetworkType0
from .recipient_network_source import RecipientNetworkSource
from .reconciliation_exception import ReconciliationException
from .reconciliation_exception_class import ReconciliationExceptionClass
from .reconciliation_exception_evidence import ReconciliationExceptionEvidence
from .reconciliation_exception_page import ReconciliationExceptionPage
from .reconciliation_exception_resolution_type_0 import (
    ReconciliationExceptionResolutionType0,
)
from .reconciliation_exception_status import ReconciliationExceptionStatus
from .reconciliation_float import ReconciliationFloat
from .reconciliation_in import ReconciliationIn
from .reconciliation_run import ReconciliationRun
from .reconciliation_run_counts_type_0 import ReconciliationRunCountsType0
from .reconciliation_run_page import ReconciliationRunPage
from .reconciliation_run_status import ReconciliationRunStatus
from .recover_in import RecoverIn
from .recovery import Recovery
from .recovery_status import RecoveryStatus
from .redeliver_in import RedeliverIn
from .redelivery import Redelivery
from .redrive import Redrive
from .redrive_in import RedriveIn
from .refund import Refund
from .reservation import Reservation
from .reservation_in import ReservationIn
from .reservation_page import ReservationPage
from .reservation_status import ReservationStatus
from .resolution_in import ResolutionIn
from .resolution_in_resolution import ResolutionInResolution
from .risk import Risk
from .risk_decision import RiskDecision
from .risk_reason import RiskReason
from .rotate_in import RotateIn
from .route import Route
from .route_candidate import RouteCandidate
from .saved_beneficiary import SavedBeneficiary
from .saved_beneficiary_in import SavedBeneficiaryIn
from .saved_beneficiary_page import SavedBeneficiaryPage
from .saved_beneficiary_status import SavedBeneficiaryStatus
from .settlement_job import SettlementJob
from .settlement_job_status import SettlementJobStatus
from .settlement_totals import SettlementTotals
from .status_change import StatusChange
from .status_reason_in import StatusReasonIn
from .top_up import TopUp
from .top_up_in import TopUpIn
from .upi_in import UpiIn
from .verification_result import VerificationResult
from .verify_in import VerifyIn
from .wallet_balance import WalletBalance
from .wallet_move_in import WalletMoveIn
from .wallet_movement import WalletMovement
from .wallet_movement_direction import WalletMovementDirection
from .webhook_endpoint import WebhookEndpoint
from .webhook_endpoint_deleted import WebhookEndpointDeleted
from .webhook_endpoint_in import WebhookEndpointIn
from .webhook_endpoint_page import WebhookEndpointPage
from .webhook_endpoint_status import WebhookEndpointStatus
from .webhook_endpoint_update_in import WebhookEndpointUpdateIn
from .webhook_endpoint_with_secret import WebhookEndpointWithSecret
from .webhook_endpoint_with_secret_status import WebhookEndpointWithSecretStatus
from .window_in import WindowIn

__all__ = (
    "ApiKeyInfo",
    "Attempt",
    "BankAccountIn",
    "Beneficiary",
    "BeneficiaryType",
    "BeneficiaryVerification",
    "BeneficiaryVerificationStatus",
    "CallbackAck",
    "CallbackAckOutcome",
    "Check",
    "DecisionIn",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryAttemptOutcome",
    "DeliveryAttemptPage",
    "DeliveryStatus",
    "DetailedHealth",
    "DetailedHealthChecks",
    "DetailedHealthProviders",
    "DetailedHealthStatus",
    "DirectoryEntry",
    "DirectoryEntryKind",
    "DirectoryEntryRail",
    "DirectoryPage",
    "ErrorBody",
    "ErrorDetail",
    "ErrorDetailProviderType0",
    "Event",
    "EventData",
    "EventDataObject",
    "EventPage",
    "EventWithDeliveries",
    "Failover",
    "FloatBalance",
    "FloatTopUp",
    "FloatTopUpIn",
    "FloatTopUpInProvider",
    "FulfilIn",
    "Fulfilment",
    "FulfilmentPayoutStatus",
    "FulfilmentStatus",
    "Health",
    "HealthStatus",
    "Holds",
    "LateFulfilment",
    "LedgerAudit",
    "LedgerAuditTotalByCurrency",
    "ListAllPaymentsStatusType0",
    "ListAllPayoutsStatusType0",
    "ListBalanceHistoryAccount",
    "ListDirectoryKindType0",
    "ListPaymentsNetworkType0",
    "ListPaymentsProviderType0",
    "ListPaymentsStatusType0",
    "ListPayoutsStatusType0",
    "ListReconciliationExceptionsClassType0",
    "ListReconciliationExceptionsStatusType0",
    "ListReservationsStatusType0",
    "Merchant",
    "MerchantBalance",
    "MerchantBalanceFloatsType0",
    "MerchantIn",
    "MerchantStatus",
    "MerchantWithKey",
    "MobileWalletIn",
    "Order",
    "OrderFailureKindType0",
    "OrderFulfilIn",
    "OrderIn",
    "OrderStatus",
    "Payment",
    "PaymentAttempt",
    "PaymentIn",
    "PaymentInMetadataType0",
    "PaymentMetadataType0",
    "PaymentPage",
    "PaymentStatus",
    "Payout",
    "PayoutIn",
    "PayoutPage",
    "PayoutSettingsIn",
    "PayoutStatus",
    "Posting",
    "PostingPage",
    "Product",
    "ProductIn",
    "ProviderAnswer",
    "Queue",
    "QueueDepth",
    "QueueList",
    "Recipient",
    "RecipientIn",
    "RecipientInNetworkType0",
    "RecipientNetworkSource",
    "ReconciliationException",
    "ReconciliationExceptionClass",
    "ReconciliationExceptionEvidence",
    "ReconciliationExceptionPage",
    "ReconciliationExceptionResolutionType0",
    "ReconciliationExceptionStatus",
    "ReconciliationFloat",
    "ReconciliationIn",
    "ReconciliationRun",
    "ReconciliationRunCountsType0",
    "ReconciliationRunPage",
    "ReconciliationRunStatus",
    "RecoverIn",
    "Recovery",
    "RecoveryStatus",
    "RedeliverIn",
    "Redelivery",
    "Redrive",
    "RedriveIn",
    "Refund",
    "Reservation",
    "ReservationIn",
    "ReservationPage",
    "ReservationStatus",
    "ResolutionIn",
    "ResolutionInResolution",
    "Risk",
    "RiskDecision",
    "RiskReason",
    "RotateIn",
    "Route",
    "RouteCandidate",
    "SavedBeneficiary",
    "SavedBeneficiaryIn",
    "SavedBeneficiaryPage",
    "SavedBeneficiaryStatus",
    "SettlementJob",
    "SettlementJobStatus",
    "SettlementTotals",
    "StatusChange",
    "StatusReasonIn",
    "TopUp",
    "TopUpIn",
    "UpiIn",
    "VerificationResult",
    "VerifyIn",
    "WalletBalance",
    "WalletMoveIn",
    "WalletMovement",
    "WalletMovementDirection",
    "WebhookEndpoint",
    "WebhookEndpointDeleted",
    "WebhookEndpointIn",
    "WebhookEndpointPage",
    "WebhookEndpointStatus",
    "WebhookEndpointUpdateIn",
    "WebhookEndpointWithSecret",
    "WebhookEndpointWithSecretStatus",
    "WindowIn",
)
