/* filled in by the codec/client work */
