/* vidwrite: write video files from frames in memory.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#define __VIDWRITE_H_INSIDE__

#include <vidwrite/vidwrite-version.h>
#include <vidwrite/vidwrite-error.h>
#include <vidwrite/vidwrite-enums.h>
#include <vidwrite/vidwrite-types.h>
#include <vidwrite/vidwrite-codecs.h>
#include <vidwrite/vidwrite-rate.h>
#include <vidwrite/vidwrite-writer.h>
#include <vidwrite/vidwrite-write-video.h>

#undef __VIDWRITE_H_INSIDE__
