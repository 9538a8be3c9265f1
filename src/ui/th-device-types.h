/* th-device-types.h: Matter device types in words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The name of a device type of the Matter Device Library ("Dimmable Light"), translated, or
 * NULL for one Threshold does not know. */
const char *th_device_type_describe (guint32 device_type);

G_END_DECLS
