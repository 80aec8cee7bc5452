"""What payrail did with a provider's callback."""
from payrail.api.models.common import Model
from payrail.api.models.views import view
from payrail.providers import answers as callbacks

__all__ = ['CallbackAck']

#: a view of :class:`payrail.providers.callbacks.CallbackAck`
CallbackAck = view(callbacks.CallbackAck, "CallbackAck", Model, __name__)
CallbackAck.__doc__ = callbacks.CallbackAck.__doc__
