/* th-btp-link.c: what BTP needs of a GATT connection to the Matter service
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "th-btp-link.h"

enum {
  RECEIVED,
  SUBSCRIBED,
  DISCONNECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_INTERFACE (ThBtpLink, th_btp_link, G_TYPE_OBJECT)

static void
th_btp_link_default_init (ThBtpLinkInterface *iface)
{
  signals[RECEIVED] = g_signal_new ("received",
                                    G_TYPE_FROM_INTERFACE (iface),
                                    G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 1, G_TYPE_BYTES);
  signals[SUBSCRIBED] = g_signal_new ("subscribed",
                                      G_TYPE_FROM_INTERFACE (iface),
                                      G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL,
                                      G_TYPE_NONE, 0);
  signals[DISCONNECTED] = g_signal_new ("disconnected",
                                        G_TYPE_FROM_INTERFACE (iface),
                                        G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, G_TYPE_ERROR);
}

void
th_btp_link_write_async (ThBtpLink           *self,
                         GBytes              *packet,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (TH_IS_BTP_LINK (self));
  g_return_if_fail (packet != NULL);

  TH_BTP_LINK_GET_IFACE (self)->write_async (self, packet, cancellable, callback, user_data);
}

gboolean
th_btp_link_write_finish (ThBtpLink     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (TH_IS_BTP_LINK (self), FALSE);

  return TH_BTP_LINK_GET_IFACE (self)->write_finish (self, result, error);
}

void
th_btp_link_subscribe_async (ThBtpLink           *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (TH_IS_BTP_LINK (self));

  TH_BTP_LINK_GET_IFACE (self)->subscribe_async (self, cancellable, callback, user_data);
}

gboolean
th_btp_link_subscribe_finish (ThBtpLink     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (TH_IS_BTP_LINK (self), FALSE);

  return TH_BTP_LINK_GET_IFACE (self)->subscribe_finish (self, result, error);
}

guint16
th_btp_link_get_att_mtu (ThBtpLink *self)
{
  g_return_val_if_fail (TH_IS_BTP_LINK (self), 0);

  return TH_BTP_LINK_GET_IFACE (self)->get_att_mtu (self);
}

void
th_btp_link_close (ThBtpLink *self)
{
  g_return_if_fail (TH_IS_BTP_LINK (self));

  TH_BTP_LINK_GET_IFACE (self)->close (self);
}

void
th_btp_link_emit_received (ThBtpLink *self,
                           GBytes    *packet)
{
  g_return_if_fail (TH_IS_BTP_LINK (self));

  g_signal_emit (self, signals[RECEIVED], 0, packet);
}

void
th_btp_link_emit_subscribed (ThBtpLink *self)
{
  g_return_if_fail (TH_IS_BTP_LINK (self));

  g_signal_emit (self, signals[SUBSCRIBED], 0);
}

void
th_btp_link_emit_disconnected (ThBtpLink    *self,
                               const GError *error)
{
  g_return_if_fail (TH_IS_BTP_LINK (self));
  g_return_if_fail (error != NULL);

  g_signal_emit (self, signals[DISCONNECTED], 0, error);
}
