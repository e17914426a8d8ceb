/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TIRKEU_INPUT_ERROR (tirkeu_input_error_quark ())

/**
 * TirkeuInputError:
 * @TIRKEU_INPUT_ERROR_WRONG_LENGTH: the value has the wrong number of characters
 * @TIRKEU_INPUT_ERROR_NOT_A_DIGIT: a character that must be a digit is not one
 * @TIRKEU_INPUT_ERROR_CHECK_DIGIT: the check digit does not match the others
 * @TIRKEU_INPUT_ERROR_NEVER_ISSUED: the check digit cannot exist (10 on both passes)
 * @TIRKEU_INPUT_ERROR_BAD_CHARACTER: a character outside the allowed alphabet
 * @TIRKEU_INPUT_ERROR_EMPTY: nothing was entered
 * @TIRKEU_INPUT_ERROR_ILLEGAL_TRANSITION: a request may not move from its stage to that one
 * @TIRKEU_INPUT_ERROR_INVALID: any other malformed value
 *
 * Errors in what a person, a file or a peer handed to the domain core.
 */
typedef enum
{
  TIRKEU_INPUT_ERROR_WRONG_LENGTH,
  TIRKEU_INPUT_ERROR_NOT_A_DIGIT,
  TIRKEU_INPUT_ERROR_CHECK_DIGIT,
  TIRKEU_INPUT_ERROR_NEVER_ISSUED,
  TIRKEU_INPUT_ERROR_BAD_CHARACTER,
  TIRKEU_INPUT_ERROR_EMPTY,
  TIRKEU_INPUT_ERROR_ILLEGAL_TRANSITION,
  TIRKEU_INPUT_ERROR_INVALID,
} TirkeuInputError;

GQuark tirkeu_input_error_quark (void);

G_END_DECLS
