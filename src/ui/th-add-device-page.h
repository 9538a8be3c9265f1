/* th-add-device-page.h: where a person gives the device's setup code
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TH_TYPE_ADD_DEVICE_PAGE (th_add_device_page_get_type ())

G_DECLARE_FINAL_TYPE (ThAddDevicePage, th_add_device_page, TH, ADD_DEVICE_PAGE, AdwBin)

/* The payloads of the code as it stands, or NULL while it is empty, incomplete or wrong. */
GPtrArray *th_add_device_page_get_payloads (ThAddDevicePage *self);
void       th_add_device_page_set_code     (ThAddDevicePage *self,
                                            const char      *code);

/* Gives the keyboard to the setup code entry. */
void th_add_device_page_focus_code (ThAddDevicePage *self);

G_END_DECLS
