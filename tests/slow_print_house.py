"""The real spool print house, slowed down after the letter is written, so a test can
kill the worker in the middle of a letter: file on disk, transaction not committed."""

import time

from letters.print_house import SpoolPrintHouse


class SlowSpoolPrintHouse(SpoolPrintHouse):
    def hand_over(self, letter_id, pdf):
        super().hand_over(letter_id, pdf)
        time.sleep(30)
