/* th-btp-link.h: what BTP needs of a GATT connection to the Matter service
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TH_TYPE_BTP_LINK (th_btp_link_get_type ())

G_DECLARE_INTERFACE (ThBtpLink, th_btp_link, TH, BTP_LINK, GObject)

/* One GATT connection seen from one side. The central's end writes to C1 and receives C2
 * indications; the peripheral's end indicates on C2 and receives C1 writes.
 *
 * Signals, on the main context the link was made in:
 *   ::received (GBytes *packet)  a C2 indication (central) or a C1 write (peripheral)
 *   ::subscribed ()              the central subscribed to C2 (peripheral end only)
 *   ::disconnected (GError *)    the connection is gone, and why */
struct _ThBtpLinkInterface
{
  GTypeInterface parent_iface;

  /* Completes once the peer has the packet: the GATT write response, or the indication's
   * confirmation. */
  void     (*write_async)      (ThBtpLink           *self,
                                GBytes              *packet,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data);
  gboolean (*write_finish)     (ThBtpLink           *self,
                                GAsyncResult        *result,
                                GError             **error);
  /* The central's end: starts C2 indications. */
  void     (*subscribe_async)  (ThBtpLink           *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data);
  gboolean (*subscribe_finish) (ThBtpLink           *self,
                                GAsyncResult        *result,
                                GError             **error);
  /* The ATT MTU of the connection, 0 when this side cannot tell. */
  guint16  (*get_att_mtu)      (ThBtpLink           *self);
  /* Ends the connection (or this program's use of it). No signal follows. */
  void     (*close)            (ThBtpLink           *self);
};

void     th_btp_link_write_async      (ThBtpLink           *self,
                                       GBytes              *packet,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean th_btp_link_write_finish     (ThBtpLink           *self,
                                       GAsyncResult        *result,
                                       GError             **error);
void     th_btp_link_subscribe_async  (ThBtpLink           *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean th_btp_link_subscribe_finish (ThBtpLink           *self,
                                       GAsyncResult        *result,
                                       GError             **error);
guint16  th_btp_link_get_att_mtu      (ThBtpLink           *self);
void     th_btp_link_close            (ThBtpLink           *self);

/* For implementations. */
void     th_btp_link_emit_received     (ThBtpLink          *self,
                                        GBytes             *packet);
void     th_btp_link_emit_subscribed   (ThBtpLink          *self);
void     th_btp_link_emit_disconnected (ThBtpLink          *self,
                                        const GError       *error);

G_END_DECLS
